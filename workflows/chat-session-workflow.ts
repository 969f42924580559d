/**
 * Chat session workflow (SPEC section 6): one conversation between an integration and a contact.
 *
 * Id: `chat-<integrationId>-<contact>` (contract.chatWorkflowId): at most one chat per pair is
 * open. Started by the contact's first message (update-with-start of `receiveInbound`); each
 * chat has its own `chatId`. Messages: update `receiveInbound` (MO), update `sendReply` (MT or
 * END), query `chatState`. Type `chatSessionWorkflow`; chats started before it run on the
 * frozen `chatLifecycleWorkflow` (legacy/) until they close.
 *
 * Lifecycle:
 *   open     — the read model lists the chat: written by its first message's accept activity,
 *              before that message's 202 (a next chat, whose first messages the run before
 *              accepted: by an activity of its own, beside its first deliveries);
 *   deliver  — each accepted event's row is written before its update returns (the workflow
 *              keeps its id); events go to the client webhook one at a time, in order, each as
 *              an attempt series with workflow-owned backoff; replies go through the carrier,
 *              one at a time, in order;
 *   wait     — for replies (WhatsApp: while the 24-hour window is open), for END from the
 *              client, or for `idleTimeoutMs` without any message either way;
 *   close    — END or idleness: the END event is queued last; both queues drain; the read model
 *              closes. Messages that came meanwhile belong to the contact's next chat: this
 *              workflow continues as new as that chat instead of completing.
 * A long chat continues as new after `maxMessagesPerRun` accepted messages or when Temporal
 * suggests it; a delivery waiting to retry is carried into the next run, never awaited.
 */
import { allHandlersFinished, condition, continueAsNew, patched, proxyActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { ChathookActivities } from '../activities/index.js';
import {
  CARRIER_SEND_ACTIVITY_OPTIONS,
  CHAT_SEARCH_ATTRIBUTE_KEYS,
  RECORD_ACTIVITY_OPTIONS,
  chatStateQuery,
  receiveInboundUpdate,
  receiverRecoveredSignal,
  sendReplyUpdate,
  type ChatSessionInput,
  type ChatSummary,
} from './contract.js';
import { ChatSession } from './chat-session.js';
import { runDeliverySeries } from './delivery-series.js';

const { recordChatOpened, recordChatClosed } = proxyActivities<ChathookActivities>(RECORD_ACTIVITY_OPTIONS);
const { sendCarrierMessage } = proxyActivities<ChathookActivities>(CARRIER_SEND_ACTIVITY_OPTIONS);

export async function chatSessionWorkflow(input: ChatSessionInput): Promise<ChatSummary> {
  const chat = new ChatSession(input);
  const { tenantId, integrationId, contact, settings } = input;

  // Open: a chat started by its first message is recorded by that message's accept activity; a
  // next chat (its first messages accepted by the run before) and histories from before
  // OPEN_ON_FIRST_ACCEPT record it by an activity of its own, beside the first deliveries.
  const openOnAccept = !input.carried && patched(OPEN_ON_FIRST_ACCEPT);
  if (openOnAccept) chat.recordOpenOnAccept();
  // Before the handlers: a buffered update (update-with-start) runs as soon as its handler is set.
  setHandler(receiveInboundUpdate, (message) => chat.receiveInbound(message), { validator: (message) => chat.validateInbound(message) });
  setHandler(sendReplyUpdate, (request) => chat.acceptReply(request), { validator: (request) => chat.validateReply(request) });
  setHandler(chatStateQuery, () => chat.snapshot());
  setHandler(receiverRecoveredSignal, () => chat.receiverRecovered());

  const opened = chat.state.recordedOpen || openOnAccept ? Promise.resolve() : recordOpen(chat);

  // Deliver in order: client webhook events, and carrier replies, each queue on its own.
  const queuesDone = Promise.all([
    chat.deliverInOrder((delivery) => runDeliverySeries(delivery, { tenantId, integrationId, series: 0, settings, shouldPause: () => chat.isRunEnding, receiverRecoveredSince: (since) => chat.receiverRecoveredSince(since) })),
    chat.sendInOrder(async (reply) => {
      try {
        await sendCarrierMessage({ tenantId, integrationId, chatId: chat.state.chatId, contact, ...reply });
      } catch {
        // The activity recorded the failure; one reply that cannot be sent must not block the next.
      }
    }),
  ]);

  // Wait for END or idleness; hand over to a new run when this one is long enough.
  while (!chat.isClosing) {
    await condition(() => chat.isClosing || chat.continueAsNewDue(), Math.max(1, chat.idleDeadline() - Date.now()));
    if (chat.isClosing) break;
    if (chat.continueAsNewDue()) {
      chat.endRun();
      await Promise.all([queuesDone, opened]);
      await condition(allHandlersFinished);
      return continueAsNew<typeof chatSessionWorkflow>(chat.nextRunInput());
    }
    if (chat.isIdle()) await chat.close('IDLE');
  }

  // Close: everything queued goes out (END last), then the read model closes.
  await Promise.all([queuesDone, opened]);
  await condition(allHandlersFinished);
  const summary = chat.summary();
  await recordChatClosed({ chatId: summary.chatId, closedAt: new Date(Date.now()).toISOString(), reason: summary.closedReason });
  const nextChat = chat.nextChatInput();
  if (nextChat) return continueAsNew<typeof chatSessionWorkflow>(nextChat);
  upsertSearchAttributes([{ key: CHAT_SEARCH_ATTRIBUTE_KEYS.status, value: 'CLOSED' }]);
  return summary;
}

/**
 * Saves an activity, its workflow task and a search-attribute upsert per chat (the start already
 * sets the chat's status OPEN); recorded histories before it replay the activity.
 */
const OPEN_ON_FIRST_ACCEPT = 'open-recorded-by-first-accept';

async function recordOpen(chat: ChatSession): Promise<void> {
  await recordChatOpened(chat.openedRecord());
  // A chat opened by messages that came while the previous one closed: searchable as open again.
  upsertSearchAttributes([{ key: CHAT_SEARCH_ATTRIBUTE_KEYS.status, value: 'OPEN' }]);
  chat.markRecordedOpen();
}
