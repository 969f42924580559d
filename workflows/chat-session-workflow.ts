/**
 * Chat session workflow (SPEC section 6): one conversation between an integration and a contact.
 *
 * Id: `chat-<integrationId>-<contact>` (contract.chatWorkflowId): at most one chat per pair is
 * open. Started by the contact's first message (update-with-start of `receiveInbound`); each
 * chat has its own `chatId`, and one workflow id holds the contact's chats one after another.
 * Messages: update `receiveInbound` (MO), update `sendReply` (MT or END), query `chatState`,
 * signal `receiverRecovered`.
 *
 * Lifecycle, by the chat's phase (ChatSession):
 *   OPEN            — each inbound message's rows are written by its update's activity before it
 *                     returns (the first also lists the chat); events go to the client webhook one
 *                     at a time, in order; replies go through the carrier, one at a time, in order.
 *   CLOSE_REQUESTED — by the client's END or `idleTimeoutMs` without a message either way; the
 *                     END event's row is written; messages from now on open the next chat.
 *   CLOSING         — END is queued last; both queues drain.
 *   CLOSED          — END went out; the read model closes; then the hand-over.
 * A run also ends after `maxMessagesPerRun` accepted updates or when Temporal suggests it: the
 * queues stop after their current step and the chat continues as new in its phase (CLOSED too,
 * when END's last attempt was in flight); a delivery waiting to retry is carried into the next
 * run, never awaited.
 *
 * Hand-over rule (continue-as-new, the next chat, or completion): the run first stops taking
 * updates (`beginHandOver`: validators refuse with CHAT_HANDING_OVER, and the gateway asks
 * again), then waits for every handler in flight (`allHandlersFinished`), then builds the next
 * input and hands over with no `await` in between. So an update this run accepted completed in
 * this run, its message is in the state it hands over, and every message answered 202 is in
 * exactly one chat's queue.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { ChathookActivities } from '../activities/index.js';
import { CARRIER_SEND_ACTIVITY_OPTIONS, RECORD_ACTIVITY_OPTIONS } from './activity-options.js';
import {
  chatStateQuery,
  receiveInboundUpdate,
  receiverRecoveredSignal,
  sendReplyUpdate,
} from './contract/chat-messages.js';
import type { ChatSessionInput, ChatSummary } from './contract/chat-session.js';
import { CHAT_SEARCH_ATTRIBUTE_KEYS } from './contract/search-attributes.js';
import { ChatSession } from './chat-session.js';
import { runDeliverySeries } from './delivery-series.js';

const { recordChatClosed } = proxyActivities<ChathookActivities>(RECORD_ACTIVITY_OPTIONS);
const { sendCarrierMessage } = proxyActivities<ChathookActivities>(CARRIER_SEND_ACTIVITY_OPTIONS);

export async function chatSessionWorkflow(input: ChatSessionInput): Promise<ChatSummary> {
  const chat = new ChatSession(input);
  const { tenantId, integrationId, contact, settings } = input;

  // Before anything awaits: a buffered update (update-with-start) runs as soon as its handler is set.
  setHandler(receiveInboundUpdate, (message) => chat.receiveInbound(message), {
    validator: (message) => chat.validateInbound(message),
  });
  setHandler(sendReplyUpdate, (request) => chat.acceptReply(request), {
    validator: (request) => chat.validateReply(request),
  });
  setHandler(chatStateQuery, () => chat.snapshot());
  setHandler(receiverRecoveredSignal, () => chat.receiverRecovered());

  const queuesDone = Promise.all([
    chat.deliverInOrder((delivery) =>
      runDeliverySeries(delivery, {
        tenantId,
        integrationId,
        series: 0,
        settings,
        shouldPause: () => chat.isRunEnding,
        receiverRecoveredSince: (since) => chat.receiverRecoveredSince(since),
      }),
    ),
    chat.sendInOrder(async (reply) => {
      try {
        await sendCarrierMessage({ tenantId, integrationId, chatId: chat.state.chatId, contact, ...reply });
      } catch {
        // The activity recorded the failure; one reply that cannot be sent must not block the next.
      }
    }),
  ]);

  /** Stops taking updates, waits for the handlers in flight; the caller builds its hand-over right after. */
  async function sealRun(): Promise<void> {
    chat.beginHandOver();
    await condition(allHandlersFinished);
  }

  for (;;) {
    if (chat.continueAsNewDue() && chat.phase !== 'CLOSED') {
      chat.endRun();
      await queuesDone;
      await sealRun();
      return continueAsNew<typeof chatSessionWorkflow>(chat.nextRunInput());
    }
    switch (chat.phase) {
      case 'OPEN':
        await condition(
          () => chat.phase !== 'OPEN' || chat.continueAsNewDue(),
          Math.max(1, chat.idleDeadline() - Date.now()),
        );
        if (chat.phase === 'OPEN' && chat.isIdle()) chat.requestClose('IDLE');
        break;
      case 'CLOSE_REQUESTED':
        await chat.queueEnd();
        break;
      case 'CLOSING':
        await condition(() => chat.phase === 'CLOSED' || chat.continueAsNewDue());
        break;
      case 'CLOSED': {
        // Messages that come meanwhile join the next chat, which this workflow continues as.
        await queuesDone;
        const summary = chat.summary();
        await recordChatClosed({
          chatId: summary.chatId,
          closedAt: new Date(Date.now()).toISOString(),
          reason: summary.closedReason,
          lastInboundAt: chat.state.lastInboundAt,
        });
        await sealRun();
        const nextChat = chat.nextChatInput();
        if (nextChat) return continueAsNew<typeof chatSessionWorkflow>(nextChat);
        upsertSearchAttributes([{ key: CHAT_SEARCH_ATTRIBUTE_KEYS.status, value: 'CLOSED' }]);
        return summary;
      }
    }
  }
}
