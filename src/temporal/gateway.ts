/**
 * The API side's one way to Temporal: every workflow start, update, query and replay that the
 * HTTP layer needs, typed by workflows/contract.ts, with Temporal's failures turned into domain
 * results here (callers never see a Temporal error class or walk a cause chain).
 */
import {
  WithStartWorkflowOperation,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { ApplicationFailure, TypedSearchAttributes, rootCause } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import type { Config } from '../platform/config.js';
import {
  CHAT_SEARCH_ATTRIBUTE_KEYS,
  FailureType,
  WorkflowType,
  activationWorkflowId,
  chatStateQuery,
  chatWorkflowId,
  deactivationWorkflowId,
  inboundUpdateId,
  receiveInboundUpdate,
  replayWorkflowId,
  sendReplyUpdate,
  type ActivationInput,
  type ActivationResult,
  type ChatLifecycleWorkflow,
  type ChatParties,
  type ChatSettings,
  type ChatSnapshot,
  type DeactivationInput,
  type DeliverWebhookInput,
  type DeliveryReplayWorkflow,
  type InboundAccepted,
  type InboundMessage,
  type IntegrationActivationWorkflow,
  type IntegrationDeactivationWorkflow,
  type ReplyAccepted,
  type ReplyRequest,
} from '../../workflows/contract.js';

/** A failure a workflow or update ended with on purpose: its contract type, message and details. */
export interface WorkflowRejection {
  type: string;
  message: string;
  details: unknown[];
}

export type ReplyOutcome = { accepted: ReplyAccepted } | { rejected: WorkflowRejection } | { noChat: true };

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
}

/** How many times an inbound message waits for a closing chat before giving up. */
const INBOUND_ATTEMPTS = 5;
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
  return { type: failure.type ?? 'REJECTED', message: failure.message, details: failure.details ? [...failure.details] : [] };
}

async function within<T>(result: Promise<T>, waitMs: number): Promise<{ done: T } | { timedOut: true }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ timedOut: true }>((resolve) => {
    timer = setTimeout(() => resolve({ timedOut: true }), waitMs);
  });
  try {
    return await Promise.race([result.then((done) => ({ done })), timeout]);
  } finally {
    clearTimeout(timer);
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
  };
}

/** Asks the chat to accept a reply (or END); the chat's own state decides, synchronously. */
export async function replyToChat(client: Client, integrationId: string, contact: string, request: ReplyRequest, updateId?: string): Promise<ReplyOutcome> {
  const handle = client.workflow.getHandle(chatWorkflowId(integrationId, contact));
  try {
    return { accepted: await handle.executeUpdate(sendReplyUpdate, { args: [request], ...(updateId ? { updateId } : {}) }) };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return { noChat: true };
    const failure = error instanceof WorkflowUpdateFailedError ? applicationFailureOf(error) : undefined;
    if (failure) return { rejected: rejectionOf(failure) };
    // An update to a workflow that has already completed.
    if (error instanceof Error && /workflow execution already completed|not found/i.test(error.message)) return { noChat: true };
    throw error;
  }
}

export function createTemporalGateway(options: TemporalGatewayOptions) {
  const { client, taskQueue, chatSettings } = options;

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
      return 'done' in waited ? { kind: 'COMPLETED', result: waited.done } : { kind: 'STILL_RUNNING' };
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
     * starts the chat and the others join it, and the caller learns the chatId once the workflow
     * has the message. A chat that is closing rejects the message; once it has ended, the message
     * opens a new chat. Throws when Temporal cannot take the message (the carrier retries).
     */
    async deliverInbound(chat: ChatParties, message: InboundMessage): Promise<InboundAccepted> {
      const workflowId = chatWorkflowId(chat.integrationId, chat.contact);
      for (let attempt = 1; ; attempt += 1) {
        const startWorkflowOperation = new WithStartWorkflowOperation<ChatLifecycleWorkflow>(WorkflowType.CHAT, {
          workflowId,
          taskQueue,
          args: [{ ...chat, settings: chatSettings }],
          workflowIdConflictPolicy: 'USE_EXISTING',
          typedSearchAttributes: new TypedSearchAttributes([
            { key: CHAT_SEARCH_ATTRIBUTE_KEYS.integrationId, value: chat.integrationId },
            { key: CHAT_SEARCH_ATTRIBUTE_KEYS.contact, value: chat.contact },
            { key: CHAT_SEARCH_ATTRIBUTE_KEYS.channel, value: chat.channel },
            { key: CHAT_SEARCH_ATTRIBUTE_KEYS.status, value: 'OPEN' },
          ]),
        });
        try {
          return await client.workflow.executeUpdateWithStart(receiveInboundUpdate, {
            args: [message],
            updateId: inboundUpdateId(chat.integrationId, message.connectionCode, message.messageId),
            startWorkflowOperation,
          });
        } catch (error) {
          const closing = error instanceof WorkflowUpdateFailedError && applicationFailureOf(error)?.type === FailureType.CHAT_CLOSING;
          if (!closing || attempt >= INBOUND_ATTEMPTS) throw error;
          // Wait for the closing chat to finish its queue, then the next attempt opens a new chat.
          await client.workflow
            .getHandle(workflowId)
            .result()
            .catch(() => undefined);
        }
      }
    },

    /** Asks the chat to accept a reply (or END); the chat's own state decides, synchronously. */
    sendReply(integrationId: string, contact: string, request: ReplyRequest, updateId?: string): Promise<ReplyOutcome> {
      return replyToChat(client, integrationId, contact, request, updateId);
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
      return startAndWait<Awaited<ReturnType<IntegrationActivationWorkflow>>>(WorkflowType.ACTIVATION, activationWorkflowId(input.integrationId), input, waitMs);
    },

    /** Stop of one integration, joined if one is running; waits up to `waitMs` for it. */
    runDeactivation(input: DeactivationInput, waitMs: number): Promise<LifecycleOutcome<{ status: 'INACTIVE' }>> {
      return startAndWait<Awaited<ReturnType<IntegrationDeactivationWorkflow>>>(WorkflowType.DEACTIVATION, deactivationWorkflowId(input.integrationId), input, waitMs);
    },

    /** Sends a recorded delivery again as a new attempt series; the replay id names this request. */
    async startDeliveryReplay(delivery: Omit<DeliverWebhookInput, 'replay'>): Promise<{ replayId: string }> {
      const replayId = randomUUID();
      await client.workflow.start<DeliveryReplayWorkflow>(WorkflowType.DELIVERY_REPLAY, {
        workflowId: replayWorkflowId(delivery.deliveryId, replayId),
        taskQueue,
        args: [{ delivery, settings: chatSettings }],
      });
      return { replayId };
    },
  };
}

export type TemporalGateway = ReturnType<typeof createTemporalGateway>;
