/**
 * The API side's one way to Temporal: every workflow start, update, query and replay that the
 * HTTP layer needs, typed by workflows/contract/, with Temporal's failures turned into domain
 * results here (callers never see a Temporal error class or walk a cause chain).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { ApplicationFailure, rootCause } from '@temporalio/common';
import type { Config } from '../platform/config.js';
import { openChatSearchAttributes } from './search-attributes.js';
import type { Logger } from '../platform/logger.js';
import type { ChathookMetrics } from '../platform/metrics.js';
import {
  chatStateQuery,
  receiveInboundUpdate,
  sendReplyUpdate,
  type ChatSnapshot,
  type InboundAccepted,
  type InboundMessage,
  type ReplyAccepted,
  type ReplyRequest,
} from '../../workflows/contract/chat-messages.js';
import type {
  ChatParties,
  ChatSessionInput,
  ChatSessionWorkflow,
  ChatSettings,
} from '../../workflows/contract/chat-session.js';
import type { DeliverWebhookInput, DeliveryReplayWorkflow } from '../../workflows/contract/delivery-replay.js';
import { FailureType } from '../../workflows/contract/failures.js';
import {
  WorkflowType,
  activationWorkflowId,
  chatWorkflowId,
  deactivationWorkflowId,
  deliveryReplayWorkflowId,
} from '../../workflows/contract/ids.js';
import type {
  ActivationInput,
  ActivationResult,
  DeactivationInput,
  IntegrationActivationWorkflow,
  IntegrationDeactivationWorkflow,
} from '../../workflows/contract/integration-lifecycle.js';

/** A failure a workflow or update ended with on purpose: its contract type, message and details. */
export interface WorkflowRejection {
  type: string;
  message: string;
  details: unknown[];
}

/**
 * Why a chat could not answer: its update did not complete within the gateway's wait (no worker
 * polling, or a workflow task failing again and again), or Temporal refused the call or could
 * not be reached. The caller answers CHAT_UNAVAILABLE and the carrier or client retries; a retry carries the
 * same update id (MO) or the same receipt, so it never doubles a message.
 */
export type ChatUnavailableReason = 'update_timeout' | 'temporal_error';

export interface ChatUnavailable {
  kind: 'UNAVAILABLE';
  reason: ChatUnavailableReason;
  workflowId: string;
}

/** The chat took the message, refused it on purpose (a contract failure type), or did not answer. */
export type InboundOutcome =
  | { kind: 'ACCEPTED'; accepted: InboundAccepted }
  | { kind: 'REJECTED'; rejection: WorkflowRejection }
  | ChatUnavailable;

/** As for an inbound message; and the contact may have no chat at all (never opened, or finished). */
export type ReplyOutcome =
  | { kind: 'ACCEPTED'; accepted: ReplyAccepted }
  | { kind: 'REJECTED'; rejection: WorkflowRejection }
  | { kind: 'NO_CHAT' }
  | ChatUnavailable;

/** A replay series started (its run id names it), or one of the same delivery is still running. */
export type ReplayStartOutcome = { kind: 'STARTED'; replayId: string } | { kind: 'IN_PROGRESS' };

/**
 * How a start-and-wait went: finished (with the workflow's result), still running when the wait
 * ran out (it goes on in the background), failed on purpose (a contract failure type), or
 * Temporal could not be reached.
 */
export type LifecycleOutcome<T> =
  | { kind: 'COMPLETED'; result: T }
  | { kind: 'STILL_RUNNING' }
  | { kind: 'FAILED'; failure: WorkflowRejection }
  | { kind: 'UNAVAILABLE'; reason: string | undefined };

export interface TemporalGatewayOptions {
  client: Client;
  taskQueue: string;
  /** Fixed per process: every chat and replay started by this gateway gets these. */
  chatSettings: ChatSettings;
  /**
   * How long an MO or MT waits for its chat's update to complete before the caller gets CHAT_UNAVAILABLE
   * (default CHAT_UPDATE_WAIT_MS). Tests shorten it.
   */
  chatUpdateWaitMs?: number;
  /** Where a chat that could not answer is counted and logged (with its workflow id). */
  metrics: Pick<ChathookMetrics, 'chatUnavailable'>;
  logger: Logger;
}

/**
 * An update normally completes in milliseconds (a validator, a local insert). Ten seconds covers
 * a worker restart (sticky queue timeout 3 s, workflow task retry) and still answers the carrier
 * before its own HTTP timeout; beyond it the chat is not coming back soon: unavailable, and it retries.
 */
export const CHAT_UPDATE_WAIT_MS = 10_000;
const LIFECYCLE_EXECUTION_TIMEOUT = '10m';
const MAX_CAUSE_DEPTH = 10;

/**
 * The ApplicationFailure in a Temporal error's cause chain (workflow or update → activity →
 * application), which carries the contract's failure type and details; `rootCause` gives only
 * the deepest message, which is what an unavailability is reported with.
 */
export function applicationFailureOf(error: unknown): ApplicationFailure | undefined {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < MAX_CAUSE_DEPTH; depth += 1) {
    if (current instanceof ApplicationFailure) return current;
    current = current.cause;
  }
  return undefined;
}

function rejectionOf(failure: ApplicationFailure): WorkflowRejection {
  return {
    type: failure.type ?? 'REJECTED',
    message: failure.message,
    details: failure.details ? [...failure.details] : [],
  };
}

type Waited<T> = { kind: 'DONE'; value: T } | { kind: 'TIMED_OUT' };

async function within<T>(result: Promise<T>, waitMs: number): Promise<Waited<T>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Waited<T>>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'TIMED_OUT' }), waitMs);
  });
  try {
    return await Promise.race([result.then((value): Waited<T> => ({ kind: 'DONE', value })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs one chat call with a bound: the answer comes by `waitMs` whatever Temporal does (the race),
 * and the gRPC calls still running are cancelled a moment later (their deadline), so an update
 * that never completes leaves no poll behind. An update Temporal admitted before the bound may
 * still complete: harmless, since the caller's retry carries the same update id or receipt.
 */
function boundedChatCall<T>(client: Client, waitMs: number, call: () => Promise<T>): Promise<Waited<T>> {
  return within(client.withDeadline(Date.now() + waitMs + 1_000, call), waitMs);
}

/**
 * A chat run that is handing over (continue-as-new, or the contact's next chat) refuses updates
 * for the moment it takes its handlers to finish; asking again soon reaches the next run.
 */
const HANDING_OVER_FIRST_PAUSE_MS = 10;
const HANDING_OVER_MAX_PAUSE_MS = 200;

function isHandingOver(error: unknown): boolean {
  return (
    error instanceof WorkflowUpdateFailedError && applicationFailureOf(error)?.type === FailureType.CHAT_HANDING_OVER
  );
}

/** Asks a chat until a run answers (the last refusal is rethrown once `deadline` is near). */
async function askChat<T>(deadline: number, ask: () => Promise<T>): Promise<T> {
  for (let pause = HANDING_OVER_FIRST_PAUSE_MS; ; pause = Math.min(pause * 2, HANDING_OVER_MAX_PAUSE_MS)) {
    try {
      return await ask();
    } catch (error) {
      if (!isHandingOver(error) || Date.now() + pause >= deadline) throw error;
      await sleep(pause);
    }
  }
}

/** The chat durations and limits from the configuration (workflows read no configuration). */
export function chatSettingsOf(config: Config): ChatSettings {
  return {
    whatsappWindowMs: config.whatsappSessionWindowMs,
    idleTimeoutMs: config.chatIdleTimeoutMs,
    deliveryMaxDurationMs: config.delivery.maxDurationMs,
    deliveryTimeoutMs: config.delivery.timeoutMs,
    deliveryRetryInitialMs: config.delivery.retryInitialMs,
    deliveryRetryMaxIntervalMs: config.delivery.retryMaxIntervalMs,
    maxMessagesPerRun: config.chatMessagesPerRun,
    maxPendingDeliveries: config.chatMaxPending,
  };
}

/**
 * Asks the chat to accept a reply (or END); the chat's own state decides, synchronously, within
 * `waitMs` (a chat that does not answer in time is UNAVAILABLE).
 */
async function replyToChat(
  client: Client,
  integrationId: string,
  contact: string,
  request: ReplyRequest,
  updateId?: string,
  waitMs: number = CHAT_UPDATE_WAIT_MS,
): Promise<ReplyOutcome> {
  const workflowId = chatWorkflowId(integrationId, contact);
  const handle = client.workflow.getHandle(workflowId);
  try {
    const deadline = Date.now() + waitMs;
    const answer = await boundedChatCall(client, waitMs, () =>
      askChat(deadline, () =>
        handle.executeUpdate(sendReplyUpdate, { args: [request], ...(updateId ? { updateId } : {}) }),
      ),
    );
    return answer.kind === 'DONE'
      ? { kind: 'ACCEPTED', accepted: answer.value }
      : { kind: 'UNAVAILABLE', reason: 'update_timeout', workflowId };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return { kind: 'NO_CHAT' };
    const failure = error instanceof WorkflowUpdateFailedError ? applicationFailureOf(error) : undefined;
    if (failure) return { kind: 'REJECTED', rejection: rejectionOf(failure) };
    // An update to a workflow that has already completed.
    if (error instanceof Error && /workflow execution already completed|not found/i.test(error.message))
      return { kind: 'NO_CHAT' };
    throw error;
  }
}

export function createTemporalGateway(options: TemporalGatewayOptions) {
  const { client, taskQueue, chatSettings, metrics, logger } = options;
  const chatUpdateWaitMs = options.chatUpdateWaitMs ?? CHAT_UPDATE_WAIT_MS;

  /** Every chat that did not answer is counted and logged with its workflow id, so a stuck chat can be found. */
  function reportUnavailable(
    operation: 'inbound' | 'reply',
    outcome: ChatUnavailable,
    error?: unknown,
  ): ChatUnavailable {
    const { reason, workflowId } = outcome;
    metrics.chatUnavailable.inc({ reason, operation });
    logger.warn(
      { workflowId, reason, operation, ...(error ? { err: error } : {}) },
      'chat did not answer: CHAT_UNAVAILABLE',
    );
    return outcome;
  }

  /** Starts (or joins) a lifecycle workflow and waits for it up to `waitMs`. */
  async function startAndWait<T>(
    workflowType: string,
    workflowId: string,
    input: ActivationInput | DeactivationInput,
    waitMs: number,
  ): Promise<LifecycleOutcome<T>> {
    try {
      const handle = await client.workflow.start(workflowType, {
        workflowId,
        taskQueue,
        args: [input],
        // Concurrent starts join one run; a finished run may be started again.
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
        workflowExecutionTimeout: LIFECYCLE_EXECUTION_TIMEOUT,
      });
      const waited = await within(handle.result() as Promise<T>, waitMs);
      return waited.kind === 'DONE' ? { kind: 'COMPLETED', result: waited.value } : { kind: 'STILL_RUNNING' };
    } catch (error) {
      const failure = error instanceof WorkflowFailedError ? applicationFailureOf(error) : undefined;
      if (failure) return { kind: 'FAILED', failure: rejectionOf(failure) };
      return { kind: 'UNAVAILABLE', reason: rootCause(error) };
    }
  }

  return {
    chatSettings,

    /**
     * Hands an inbound message to its chat: update-with-start, so the first message of a burst
     * starts the chat (a chat session) and the others join it, and the caller learns the chatId
     * once the chat has accepted (and recorded) the message. Never waits for a chat to finish: a
     * closing chat takes the message for the contact's next chat. Bounded by `chatUpdateWaitMs`.
     */
    async deliverInbound(chat: ChatParties, message: InboundMessage): Promise<InboundOutcome> {
      const workflowId = chatWorkflowId(chat.integrationId, chat.contact);
      const input: ChatSessionInput = { ...chat, settings: chatSettings };
      // One operation per call: an operation is used up by the call it was passed to.
      const startWorkflowOperation = () =>
        new WithStartWorkflowOperation<ChatSessionWorkflow>(WorkflowType.CHAT, {
          workflowId,
          taskQueue,
          args: [input],
          workflowIdConflictPolicy: 'USE_EXISTING',
          typedSearchAttributes: openChatSearchAttributes(chat),
        });
      // Every callback is an update of its own: whether the message is new is decided once, by
      // its receipt (acceptInboundEvent), whichever run or chat the update reaches.
      const deadline = Date.now() + chatUpdateWaitMs;
      try {
        const answer = await boundedChatCall(client, chatUpdateWaitMs, () =>
          askChat(deadline, () =>
            client.workflow.executeUpdateWithStart(receiveInboundUpdate, {
              args: [message],
              startWorkflowOperation: startWorkflowOperation(),
            }),
          ),
        );
        if (answer.kind === 'TIMED_OUT')
          return reportUnavailable('inbound', { kind: 'UNAVAILABLE', reason: 'update_timeout', workflowId });
        return { kind: 'ACCEPTED', accepted: answer.value };
      } catch (error) {
        const failure = error instanceof WorkflowUpdateFailedError ? applicationFailureOf(error) : undefined;
        if (failure) return { kind: 'REJECTED', rejection: rejectionOf(failure) };
        return reportUnavailable('inbound', { kind: 'UNAVAILABLE', reason: 'temporal_error', workflowId }, error);
      }
    },

    /** Asks the chat to accept a reply (or END); the chat's own state decides, synchronously. */
    async sendReply(
      integrationId: string,
      contact: string,
      request: ReplyRequest,
      updateId?: string,
    ): Promise<ReplyOutcome> {
      const outcome = await replyToChat(client, integrationId, contact, request, updateId, chatUpdateWaitMs);
      return outcome.kind === 'UNAVAILABLE' ? reportUnavailable('reply', outcome) : outcome;
    },

    /** The open chat's live values; undefined when it cannot answer (closed, or Temporal away). */
    async queryChatState(workflowId: string): Promise<ChatSnapshot | undefined> {
      return client.workflow
        .getHandle(workflowId)
        .query(chatStateQuery)
        .catch(() => undefined);
    },

    /** Activation of one integration, joined if one is running; waits up to `waitMs` for its result. */
    runActivation(input: ActivationInput, waitMs: number): Promise<LifecycleOutcome<ActivationResult>> {
      return startAndWait<Awaited<ReturnType<IntegrationActivationWorkflow>>>(
        WorkflowType.ACTIVATION,
        activationWorkflowId(input.integrationId),
        input,
        waitMs,
      );
    },

    /** Stop of one integration, joined if one is running; waits up to `waitMs` for it. */
    runDeactivation(input: DeactivationInput, waitMs: number): Promise<LifecycleOutcome<{ status: 'INACTIVE' }>> {
      return startAndWait<Awaited<ReturnType<IntegrationDeactivationWorkflow>>>(
        WorkflowType.DEACTIVATION,
        deactivationWorkflowId(input.integrationId),
        input,
        waitMs,
      );
    },

    /**
     * Sends a recorded delivery again as a new attempt series (`series`: its number, for outbox
     * rows). One series per delivery at a time: the workflow id is the delivery's, and a start
     * while one runs is refused (IN_PROGRESS); a finished one may be followed by another.
     */
    async startDeliveryReplay(
      delivery: Omit<DeliverWebhookInput, 'replay'>,
      series: number,
    ): Promise<ReplayStartOutcome> {
      try {
        const handle = await client.workflow.start<DeliveryReplayWorkflow>(WorkflowType.DELIVERY_REPLAY, {
          workflowId: deliveryReplayWorkflowId(delivery.deliveryId),
          taskQueue,
          args: [{ delivery, settings: chatSettings, series }],
          workflowIdConflictPolicy: 'FAIL',
          workflowIdReusePolicy: 'ALLOW_DUPLICATE',
        });
        return { kind: 'STARTED', replayId: handle.firstExecutionRunId };
      } catch (error) {
        if (error instanceof WorkflowExecutionAlreadyStartedError) return { kind: 'IN_PROGRESS' };
        throw error;
      }
    },
  };
}

export type TemporalGateway = ReturnType<typeof createTemporalGateway>;
