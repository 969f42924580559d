/**
 * The activities the recorded workflows run against: stand-ins with scripted outcomes. A replay
 * never runs activities (their results are in the history), so only the commands the workflows
 * emit matter, and the stand-ins make every branch (a retried, failed or given-up delivery, a
 * failed reply, a duplicate, a failed claim) happen on demand. Every call is logged, so a
 * scenario can wait for the moment it needs.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { ChathookActivities } from '../../activities/index.js';
import type {
  AcceptInboundInput,
  AcceptInboundResult,
  AttemptDeliveryInput,
  AttemptOutcome,
  DeliveryAttemptRecord,
  DeliveryGivenUpInput,
  RecordChatEventInput,
} from '../../workflows/contract/activity-io.js';
import { FailureType } from '../../workflows/contract/failures.js';
import type { ActivationResult } from '../../workflows/contract/integration-lifecycle.js';

/** What an outbox delivery's attempts answer, chosen by its MO text (or, for END, by its contact). */
export type AttemptScript =
  /** Attempts 1 and 2 RETRY after a second, then DELIVERED. */
  | 'retry'
  /** Attempt 1 RETRY after 4 s (long enough for a run to end during the backoff), then DELIVERED. */
  | 'slow'
  /** Every attempt RETRY after a second, until DELIVERY_MAX_DURATION gives up. */
  | 'never'
  /** FAILED for good (a 400). */
  | 'fail'
  /** DELIVERED, but the attempt row could not be written in time: the workflow writes it. */
  | 'record'
  | 'deliver';

/** Inbound text that the receipt store answers as a duplicate of another chat's message. */
export const DUPLICATE_TEXT = 'dup';
export const DUPLICATE_OF = { chatId: 'chat-of-the-first-message', deliveryId: 'msg_firstdelivery' } as const;
/** Inbound text whose rows take a while to write: its update is still in flight when the run seals. */
export const SLOW_ACCEPT_TEXT = 'slow accept';
const SLOW_ACCEPT_MS = 1_500;

const ATTEMPT_SCRIPTS: readonly string[] = ['retry', 'slow', 'never', 'fail', 'record'];

export class StandInActivities {
  readonly log: string[] = [];
  /** deliveryId → the script its attempts follow (filled when its row is written, or preset for a replay). */
  readonly deliveryScripts = new Map<string, AttemptScript>();
  /** contact → the script of its chats' END deliveries. */
  readonly endScripts = new Map<string, AttemptScript>();
  /** Closing a chat's read-model row takes this long (a hand-over racing the messages that come meanwhile). */
  closeDelayMs = 0;

  /** deliveryId → a name for the log: the MO text, or END. */
  private readonly labels = new Map<string, string>();

  activities(): ChathookActivities {
    return {
      ...this.chatActivities(),
      ...this.lifecycleActivities(),
      ...this.outboxActivities(),
    } as unknown as ChathookActivities;
  }

  /** Waits until the log has a line (the stand-ins log `deliver …`, `send …`, `attempt <label> <n>`, …). */
  async until(line: string): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (!this.log.includes(line)) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for "${line}"; log: ${this.log.slice(-10).join(' | ')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** The chat read model and carrier sends: a reply with text `fail` fails for good. */
  private chatActivities() {
    const { log } = this;
    const closeDelayMs = () => this.closeDelayMs;
    return {
      async recordChatClosed() {
        log.push('close started');
        await new Promise((resolve) => setTimeout(resolve, closeDelayMs()));
        log.push('closed');
      },
      async sendCarrierMessage(input: { text: string }) {
        log.push(`send ${input.text}`);
        if (input.text === 'fail')
          throw ApplicationFailure.create({
            type: 'HTTP_400',
            message: 'the carrier answered 400',
            nonRetryable: true,
          });
      },
    };
  }

  /**
   * Activation (connection B's sender is in use, integration `gone` was deleted) and stop (`live` is linked to live
   * campaigns).
   */
  private lifecycleActivities() {
    return {
      async beginActivation(input: { integrationId: string }) {
        if (input.integrationId === 'gone') return { kind: 'GONE' as const };
        return { kind: 'BEGUN' as const, connectionCodes: ['A', 'B'] };
      },
      async claimConnectionSenders(input: { connectionCode: string }) {
        if (input.connectionCode === 'B') {
          throw ApplicationFailure.create({
            type: FailureType.SENDER_IN_USE,
            message: 'SMS - B: 5491100000000 is in use',
            nonRetryable: true,
          });
        }
      },
      async recordActivationResult(input: { connections: ActivationResult['connections'] }): Promise<ActivationResult> {
        return {
          status: 'ACTIVE',
          partial: input.connections.some((c) => c.status === 'FAILED'),
          connections: input.connections,
        };
      },
      async deactivateIntegration(input: { integrationId: string }) {
        if (input.integrationId === 'live') {
          // The refusal deactivations threw before the stop service alone checked live campaigns:
          // recorded histories hold it, and the workflow must still replay a failed deactivation.
          throw ApplicationFailure.create({
            type: 'LINKED_TO_LIVE_CAMPAIGNS',
            message: 'linked campaigns are live: Spring',
            nonRetryable: true,
          });
        }
        return { status: 'INACTIVE' as const };
      },
    };
  }

  /** Chat sessions and series replays: rows by id, one attempt per call, outcomes by script. */
  private outboxActivities() {
    const { log, deliveryScripts, endScripts, labels } = this;
    return {
      async acceptInboundEvent(input: AcceptInboundInput): Promise<AcceptInboundResult> {
        const text = input.message.text ?? '';
        log.push(`accept ${text}`);
        if (text === DUPLICATE_TEXT) return { duplicateOf: DUPLICATE_OF };
        if (text === SLOW_ACCEPT_TEXT) await new Promise((resolve) => setTimeout(resolve, SLOW_ACCEPT_MS));
        labels.set(input.deliveryId, text);
        deliveryScripts.set(input.deliveryId, ATTEMPT_SCRIPTS.includes(text) ? (text as AttemptScript) : 'deliver');
        return { duplicateOf: null };
      },
      async recordChatEvent(input: RecordChatEventInput): Promise<void> {
        log.push(`record ${input.event.event}`);
        labels.set(input.deliveryId, input.event.event);
        deliveryScripts.set(input.deliveryId, endScripts.get(input.event.contact) ?? 'deliver');
      },
      async attemptWebhookDelivery(input: AttemptDeliveryInput): Promise<AttemptOutcome> {
        const script = deliveryScripts.get(input.deliveryId) ?? 'deliver';
        log.push(`attempt ${labels.get(input.deliveryId) ?? input.deliveryId} ${input.attempt}`);
        return attemptOutcome(script, input);
      },
      async recordDeliveryAttempt(record: DeliveryAttemptRecord): Promise<void> {
        log.push(`record attempt ${labels.get(record.deliveryId) ?? record.deliveryId} ${record.attempt}`);
      },
      async recordDeliveryGivenUp(input: DeliveryGivenUpInput): Promise<void> {
        log.push(`given up ${labels.get(input.deliveryId) ?? input.deliveryId}`);
      },
    };
  }
}

function attemptOutcome(script: AttemptScript, input: AttemptDeliveryInput): AttemptOutcome {
  const retry = (retryInMs: number): AttemptOutcome => ({
    kind: 'RETRY',
    retryInMs,
    reason: 'the endpoint answered 503',
    record: null,
  });
  switch (script) {
    case 'retry':
      return input.attempt <= 2 ? retry(1_000) : { kind: 'DELIVERED', record: null };
    case 'slow':
      return input.attempt === 1 ? retry(4_000) : { kind: 'DELIVERED', record: null };
    case 'never':
      return retry(1_000);
    case 'fail':
      return { kind: 'FAILED', reason: 'the endpoint answered 400', record: null };
    case 'record': {
      const record: DeliveryAttemptRecord = {
        deliveryId: input.deliveryId,
        series: input.series,
        attempt: input.attempt,
        at: new Date().toISOString(),
        statusCode: 200,
        error: null,
        durationMs: 12,
        outcome: 'SUCCEEDED',
      };
      return { kind: 'DELIVERED', record };
    }
    case 'deliver':
      return { kind: 'DELIVERED', record: null };
  }
}
