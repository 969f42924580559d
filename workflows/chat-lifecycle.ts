import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { ChathookActivities } from '../activities/index.js';
import {
  CHAT_SEARCH_ATTRIBUTE_KEYS,
  SEEN_MESSAGE_IDS_KEPT,
  chatStateQuery,
  deliveryFailureReason,
  receiveInboundUpdate,
  sendReplyUpdate,
  type ChatCarriedState,
  type ChatSnapshot,
  type ChatSummary,
  type ChatWorkflowInput,
  type InboundMessage,
  type PendingDelivery,
  type PendingReply,
  type ReplyRequest,
} from './chat-messages.js';

const { recordChatOpened, recordChatClosed, markDeliveryFailed } = proxyActivities<ChathookActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '1m' },
});

const { sendCarrierMessage } = proxyActivities<ChathookActivities>({
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '1h',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '5m' },
});

const iso = (ms: number) => new Date(ms).toISOString();
const ms = (isoText: string) => new Date(isoText).getTime();

function rejected(type: string, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

/**
 * One conversation between an integration and a contact.
 * Id: `chat-<integrationId>-<contact>`, so at most one chat per pair is open; started by the
 * contact's first message (update-with-start of `receiveInbound`), with a new `chatId` per chat.
 * Lifecycle: OPEN — inbound messages queue `MESSAGE` deliveries (delivered to the client webhook
 * one at a time, in order) and restart the WhatsApp window; accepted replies queue carrier sends.
 * `END` from the client, or `idleTimeoutMs` with no inbound or outbound message, makes it CLOSING:
 * an `END` delivery is queued, both queues drain, the read model is closed and the run completes.
 * A long chat continues as new (state and queues carried) after `maxMessagesPerRun` messages or
 * when Temporal suggests it, once in-flight handlers have finished.
 */
export async function chatLifecycleWorkflow(input: ChatWorkflowInput): Promise<ChatSummary> {
  const { settings } = input;
  const now = Date.now();
  const state: ChatCarriedState = input.carried ?? {
    chatId: uuid4(),
    openedAt: iso(now),
    lastInboundAt: iso(now),
    lastActivityAt: iso(now),
    status: 'OPEN',
    closedReason: null,
    deliveries: [],
    replies: [],
    seenMessageIds: [],
    acceptedTotal: 0,
  };
  let acceptedInRun = 0;
  let continueAsNewPending = false;
  const seen = new Set(state.seenMessageIds);

  const { deliverWebhookEvent } = proxyActivities<ChathookActivities>({
    startToCloseTimeout: settings.deliveryTimeoutMs + 5_000,
    scheduleToCloseTimeout: settings.deliveryMaxDurationMs,
    retry: {
      initialInterval: settings.deliveryRetryInitialMs,
      backoffCoefficient: 2,
      maximumInterval: settings.deliveryRetryMaxIntervalMs,
    },
  });

  const windowExpiresAt = () => (input.channel === 'WHATSAPP' ? iso(ms(state.lastInboundAt) + settings.whatsappWindowMs) : null);

  const queueDelivery = (event: Omit<PendingDelivery['event'], 'chatId' | 'contact' | 'channel'>) => {
    state.deliveries.push({
      deliveryId: `msg_${uuid4().replace(/-/g, '')}`,
      event: { ...event, chatId: state.chatId, contact: input.contact, channel: input.channel },
      createdAt: iso(Date.now()),
    });
  };

  const close = (reason: 'CLIENT_END' | 'IDLE') => {
    state.status = 'CLOSING';
    state.closedReason = reason;
    queueDelivery({ event: 'END', text: null, multimedia: { url: null, caption: null }, sender: input.sender, timestamp: iso(Date.now()) });
  };

  const accepted = () => {
    acceptedInRun += 1;
    state.acceptedTotal += 1;
    state.lastActivityAt = iso(Date.now());
  };

  setHandler(
    receiveInboundUpdate,
    (message: InboundMessage) => {
      const result = () => ({
        chatId: state.chatId,
        openedAt: state.openedAt,
        lastInboundAt: state.lastInboundAt,
        windowExpiresAt: windowExpiresAt(),
      });
      if (seen.has(message.messageId)) return { ...result(), duplicate: true };
      seen.add(message.messageId);
      state.seenMessageIds.push(message.messageId);
      if (state.seenMessageIds.length > SEEN_MESSAGE_IDS_KEPT) seen.delete(state.seenMessageIds.shift()!);
      state.lastInboundAt = iso(Date.now());
      accepted();
      queueDelivery({
        event: 'MESSAGE',
        text: message.text,
        multimedia: { url: message.media?.url ?? null, caption: message.media?.caption ?? null },
        sender: message.sender,
        timestamp: message.timestamp,
      });
      return { ...result(), duplicate: false };
    },
    {
      validator: (_message: InboundMessage) => {
        // A closing chat takes no more messages: the caller waits for it to end and opens a new one.
        if (state.status !== 'OPEN') rejected('CHAT_CLOSING', 'this chat is closing');
      },
    },
  );

  setHandler(
    sendReplyUpdate,
    (request: ReplyRequest) => {
      const eventId = uuid4();
      accepted();
      if (request.type === 'END') close('CLIENT_END');
      else {
        const reply: PendingReply = {
          eventId,
          channel: request.channel,
          connectionCode: request.connectionCode || input.connectionCode,
          from: request.from,
          text: request.text,
          createdAt: iso(Date.now()),
        };
        state.replies.push(reply);
      }
      return { eventId, chatId: state.chatId };
    },
    {
      validator: (request: ReplyRequest) => {
        if (state.status !== 'OPEN') rejected('CHAT_NOT_FOUND', 'this chat is closed');
        if (request.type === 'END') return;
        if (request.channel !== input.channel) {
          rejected('UNKNOWN_SENDER', `this chat is on ${input.channel}, not ${request.channel}`);
        }
        const expires = windowExpiresAt();
        if (expires !== null && Date.now() > ms(expires)) {
          rejected('WINDOW_CLOSED', `the 24-hour customer service window closed at ${expires}`);
        }
      },
    },
  );

  setHandler(chatStateQuery, (): ChatSnapshot => ({
    chatId: state.chatId,
    contact: input.contact,
    channel: input.channel,
    connectionCode: input.connectionCode,
    sender: input.sender,
    status: state.status,
    openedAt: state.openedAt,
    lastInboundAt: state.lastInboundAt,
    windowExpiresAt: windowExpiresAt(),
    pendingDeliveries: state.deliveries.length,
    pendingReplies: state.replies.length,
  }));

  if (!input.carried) {
    await recordChatOpened({
      chatId: state.chatId,
      workflowId: workflowInfo().workflowId,
      tenantId: input.tenantId,
      integrationId: input.integrationId,
      contact: input.contact,
      channel: input.channel,
      connectionCode: input.connectionCode,
      sender: input.sender,
      openedAt: state.openedAt,
      lastInboundAt: state.lastInboundAt,
      windowExpiresAt: windowExpiresAt(),
    });
  }

  /** Works through one queue in order; stops after the current item when the run must end. */
  const drain = async <T>(queue: T[], work: (item: T) => Promise<void>) => {
    for (;;) {
      await condition(() => queue.length > 0 || continueAsNewPending || state.status === 'CLOSING');
      if (continueAsNewPending || queue.length === 0) return;
      await work(queue[0]!);
      queue.shift();
    }
  };

  const deliveriesDone = drain(state.deliveries, async (delivery) => {
    try {
      await deliverWebhookEvent({ tenantId: input.tenantId, integrationId: input.integrationId, deliveryId: delivery.deliveryId, event: delivery.event, createdAt: delivery.createdAt });
    } catch (error) {
      // Permanent failure, or DELIVERY_MAX_DURATION spent: recorded, and the next event goes.
      await markDeliveryFailed({ deliveryId: delivery.deliveryId, reason: deliveryFailureReason(error) });
    }
  });
  const repliesDone = drain(state.replies, async (reply) => {
    try {
      await sendCarrierMessage({ tenantId: input.tenantId, integrationId: input.integrationId, chatId: state.chatId, contact: input.contact, ...reply });
    } catch {
      // The activity recorded the failure; one reply that cannot be sent must not block the next.
    }
  });

  const shouldContinueAsNew = () => acceptedInRun >= settings.maxMessagesPerRun || workflowInfo().continueAsNewSuggested;

  while (state.status === 'OPEN') {
    const idleDeadline = ms(state.lastActivityAt) + settings.idleTimeoutMs;
    await condition(() => state.status !== 'OPEN' || shouldContinueAsNew(), Math.max(1, idleDeadline - Date.now()));
    if (state.status !== 'OPEN') break;
    if (shouldContinueAsNew()) {
      continueAsNewPending = true;
      await Promise.all([deliveriesDone, repliesDone]);
      await condition(allHandlersFinished);
      return continueAsNew<typeof chatLifecycleWorkflow>({ ...input, carried: state });
    }
    if (Date.now() >= ms(state.lastActivityAt) + settings.idleTimeoutMs) close('IDLE');
  }

  await Promise.all([deliveriesDone, repliesDone]);
  await condition(allHandlersFinished);
  await recordChatClosed({ chatId: state.chatId, closedAt: iso(Date.now()), reason: state.closedReason ?? 'CLIENT_END' });
  upsertSearchAttributes([{ key: CHAT_SEARCH_ATTRIBUTE_KEYS.status, value: 'CLOSED' }]);
  return { chatId: state.chatId, closedReason: state.closedReason ?? 'CLIENT_END', acceptedTotal: state.acceptedTotal };
}
