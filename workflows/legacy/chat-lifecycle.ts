/**
 * Chat lifecycle workflow (SPEC section 6): one conversation between an integration and a contact.
 *
 * Id: `chat-<integrationId>-<contact>` (contract.chatWorkflowId), so at most one chat per pair is
 * open; started by the contact's first message (update-with-start of `receiveInbound`), with a new
 * `chatId` per chat. Messages: update `receiveInbound` (MO), update `sendReply` (MT or END),
 * query `chatState`.
 *
 * Lifecycle:
 *   open     — the read model records the chat (first run only);
 *   deliver  — MO messages are delivered to the client webhook one at a time, in order; accepted
 *              replies are sent through the carrier one at a time, in order;
 *   wait     — for replies (allowed on WhatsApp while the 24-hour window is open), for END from
 *              the client, or for `idleTimeoutMs` without any message either way;
 *   close    — END or idleness makes the chat CLOSING: an END delivery is queued, both queues
 *              drain, the read model is closed and the run completes.
 * A long chat continues as new (state and queues carried) after `maxMessagesPerRun` accepted
 * messages or when Temporal suggests it, once the in-flight work and handlers have finished.
 * The state and rules live in ChatSession (chat-session.ts); this function wires and drives them.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { ChathookActivities } from '../../activities/index.js';
import {
  CARRIER_SEND_ACTIVITY_OPTIONS,
  CHAT_SEARCH_ATTRIBUTE_KEYS,
  RECORD_ACTIVITY_OPTIONS,
  chatStateQuery,
  deliveryActivityOptions,
  receiveInboundUpdate,
  sendReplyUpdate,
  type ChatSummary,
  type ChatWorkflowInput,
} from '../contract.js';
import { ChatSession } from './chat-session.js';
import { deliveryFailureReason } from '../delivery-failure.js';

const { recordChatOpened, recordChatClosed, markDeliveryFailed } = proxyActivities<ChathookActivities>(RECORD_ACTIVITY_OPTIONS);
const { sendCarrierMessage } = proxyActivities<ChathookActivities>(CARRIER_SEND_ACTIVITY_OPTIONS);

export async function chatLifecycleWorkflow(input: ChatWorkflowInput): Promise<ChatSummary> {
  const chat = new ChatSession(input);
  const { deliverWebhookEvent } = proxyActivities<ChathookActivities>(deliveryActivityOptions(input.settings));
  const { tenantId, integrationId, contact } = input;

  setHandler(receiveInboundUpdate, (message) => chat.receiveInbound(message), { validator: (message) => chat.validateInbound(message) });
  setHandler(sendReplyUpdate, (request) => chat.acceptReply(request), { validator: (request) => chat.validateReply(request) });
  setHandler(chatStateQuery, () => chat.snapshot());

  // Open.
  if (chat.isNew) {
    const { chatId, openedAt, lastInboundAt } = chat.state;
    await recordChatOpened({
      chatId,
      workflowId: workflowInfo().workflowId,
      tenantId,
      integrationId,
      contact,
      channel: input.channel,
      connectionCode: input.connectionCode,
      sender: input.sender,
      openedAt,
      lastInboundAt,
      windowExpiresAt: chat.windowExpiresAt(),
    });
  }

  // Deliver in order: client webhook events, and carrier replies, each queue on its own.
  const queuesDone = Promise.all([
    chat.deliverInOrder(async (delivery) => {
      try {
        await deliverWebhookEvent({ tenantId, integrationId, deliveryId: delivery.deliveryId, event: delivery.event, createdAt: delivery.createdAt });
      } catch (error) {
        // Permanent failure, or DELIVERY_MAX_DURATION spent: recorded, and the next event goes.
        await markDeliveryFailed({ deliveryId: delivery.deliveryId, reason: deliveryFailureReason(error) });
      }
    }),
    chat.sendInOrder(async (reply) => {
      try {
        await sendCarrierMessage({ tenantId, integrationId, chatId: chat.state.chatId, contact, ...reply });
      } catch {
        // The activity recorded the failure; one reply that cannot be sent must not block the next.
      }
    }),
  ]);

  // Wait for END or idleness; hand over to a new run when this one is long enough.
  while (chat.isOpen) {
    await condition(() => !chat.isOpen || chat.continueAsNewDue(), Math.max(1, chat.idleDeadline() - Date.now()));
    if (!chat.isOpen) break;
    if (chat.continueAsNewDue()) {
      chat.endRun();
      await queuesDone;
      await condition(allHandlersFinished);
      return continueAsNew<typeof chatLifecycleWorkflow>(chat.nextRunInput());
    }
    if (chat.isIdle()) chat.close('IDLE');
  }

  // Close: everything queued goes out (END last), then the read model closes.
  await queuesDone;
  await condition(allHandlersFinished);
  const summary = chat.summary();
  await recordChatClosed({ chatId: summary.chatId, closedAt: new Date(Date.now()).toISOString(), reason: summary.closedReason });
  upsertSearchAttributes([{ key: CHAT_SEARCH_ATTRIBUTE_KEYS.status, value: 'CLOSED' }]);
  return summary;
}
