import { WithStartWorkflowOperation, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, TypedSearchAttributes } from '@temporalio/common';
import type { Config } from '../platform/config.js';
import {
  CHAT_SEARCH_ATTRIBUTE_KEYS,
  chatWorkflowId,
  receiveInboundUpdate,
  sendReplyUpdate,
  type ChatSettings,
  type ChatWorkflowInput,
  type InboundAccepted,
  type InboundMessage,
  type ReplyAccepted,
  type ReplyRequest,
} from '../../workflows/chat-messages.js';
import type { chatLifecycleWorkflow } from '../../workflows/chat-lifecycle.js';

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

/** The ApplicationFailure a workflow update was rejected or failed with, if any. */
export function updateFailureOf(error: unknown): ApplicationFailure | undefined {
  if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) return error.cause;
  return undefined;
}

/**
 * Hands an inbound message to its chat: update-with-start, so the first message of a burst
 * starts the chat and the others join it, and the caller learns the chatId once the workflow
 * has the message. A chat that is closing rejects the message; once it has ended, the message
 * opens a new chat.
 */
export async function deliverInboundToChat(
  client: Client,
  config: Config,
  chat: Omit<ChatWorkflowInput, 'settings' | 'carried'>,
  message: InboundMessage,
): Promise<InboundAccepted> {
  const workflowId = chatWorkflowId(chat.integrationId, chat.contact);
  for (let attempt = 1; ; attempt += 1) {
    const startWorkflowOperation = new WithStartWorkflowOperation<typeof chatLifecycleWorkflow>('chatLifecycleWorkflow', {
      workflowId,
      taskQueue: config.temporal.taskQueue,
      args: [{ ...chat, settings: chatSettingsOf(config) }],
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
        // Same carrier message, same update id: Temporal itself also de-duplicates the retry.
        updateId: `mo-${chat.integrationId}-${message.connectionCode}-${message.messageId}`.slice(0, 250),
        startWorkflowOperation,
      });
    } catch (error) {
      if (updateFailureOf(error)?.type !== 'CHAT_CLOSING' || attempt >= 5) throw error;
      // Wait for the closing chat to finish its queue, then the next attempt opens a new chat.
      await client.workflow
        .getHandle(workflowId)
        .result()
        .catch(() => undefined);
    }
  }
}

export type ReplyOutcome = { accepted: ReplyAccepted } | { rejected: ApplicationFailure } | { noChat: true };

/** Asks the chat to accept a reply; the chat's own state decides (validator), synchronously. */
export async function sendReplyToChat(client: Client, integrationId: string, contact: string, request: ReplyRequest, updateId?: string): Promise<ReplyOutcome> {
  const handle = client.workflow.getHandle(chatWorkflowId(integrationId, contact));
  try {
    return { accepted: await handle.executeUpdate(sendReplyUpdate, { args: [request], ...(updateId ? { updateId } : {}) }) };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return { noChat: true };
    const failure = updateFailureOf(error);
    if (failure) return { rejected: failure };
    // An update to a workflow that has already completed.
    if (error instanceof Error && /workflow execution already completed|not found/i.test(error.message)) return { noChat: true };
    throw error;
  }
}
