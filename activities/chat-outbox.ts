import { ApplicationFailure } from '@temporalio/activity';
import type { ChatRepository } from '../src/db/chats.js';
import type { DeliveryRepository, NewDelivery } from '../src/db/deliveries.js';
import type { ReceiptRepository } from '../src/db/receipts.js';
import type { ChatEvent } from '../src/domain/webhook-template.js';
import type { ChathookMetrics } from '../src/platform/metrics.js';
import type {
  AcceptInboundInput,
  AcceptInboundResult,
  DeliveryAttemptRecord,
  DeliveryGivenUpInput,
  RecordChatEventInput,
} from '../workflows/contract/activity-io.js';
import { recordChatOpenedRow } from './chat-records.js';
import type { RecentPayloads } from './recent-payloads.js';
import { MAX_ERROR_TEXT } from './webhook-request.js';

/** One attempt's row, its error text kept short; false when it was written already. */
export function insertAttemptRecord(deliveries: DeliveryRepository, record: DeliveryAttemptRecord): Promise<boolean> {
  return deliveries.insertAttempt({ ...record, error: record.error?.slice(0, MAX_ERROR_TEXT) ?? null });
}

export interface ChatOutboxDeps {
  deliveries: DeliveryRepository;
  receipts: ReceiptRepository;
  chats: ChatRepository;
  metrics: ChathookMetrics;
  /** Payloads this worker wrote lately: a first attempt reads its event from here. */
  recentPayloads: RecentPayloads;
}

/**
 * The outbox of chat sessions: an accepted event is written (inserts only) before the chat
 * answers, and every attempt and series outcome is an inserted row. Every activity here is
 * idempotent, so Temporal may retry any of them.
 */
export function createChatOutboxActivities(deps: ChatOutboxDeps) {
  const { deliveries, receipts, metrics, recentPayloads } = deps;

  return {
    /**
     * An inbound message accepted by a chat's update: its payload, then its (connection,
     * messageId) receipt, then its listed delivery row. The receipt decides: the acceptance that
     * inserts it has the message, and every later one (a carrier retry, within 7 days, by this
     * chat or another) is answered `duplicateOf` that first delivery, having listed nothing.
     * This activity is scheduled only by a durable update and is retried until it succeeds, so a
     * receipt always belongs to a delivery that its chat queues (ACCEPT_ACTIVITY_OPTIONS).
     */
    async acceptInboundEvent(input: AcceptInboundInput): Promise<AcceptInboundResult> {
      const { message } = input;
      const createdAt = new Date(input.acceptedAt);
      // A new chat is listed before its first message's 202 (the chat is there when the client hears of it).
      if (input.openChat) await recordChatOpenedRow(deps.chats, input.openChat);
      const event: ChatEvent = {
        chatId: input.chatId,
        contact: input.contact,
        event: 'MESSAGE',
        text: message.text,
        multimedia: { url: message.media?.url ?? null, caption: message.media?.caption ?? null },
        sender: message.sender,
        channel: message.channel,
        timestamp: message.timestamp,
      };
      const delivery: NewDelivery = {
        deliveryId: input.deliveryId,
        tenantId: input.tenantId,
        integrationId: input.integrationId,
        event,
        createdAt,
      };
      await deliveries.insertPayload(delivery);
      const receipt = await receipts.take({
        connectionCode: message.connectionCode,
        messageId: message.messageId,
        chatId: input.chatId,
        deliveryId: input.deliveryId,
        createdAt,
      });
      if (receipt.kind === 'UNSETTLED')
        throw ApplicationFailure.create({ message: 'the receipt of this message keeps changing' });
      if (receipt.kind === 'TAKEN') return { duplicateOf: { chatId: receipt.chatId, deliveryId: receipt.deliveryId } };
      await deliveries.insertListed(delivery);
      recentPayloads.set(input.deliveryId, event);
      return { duplicateOf: null };
    },

    /** An event the chat itself creates (END): its payload and delivery row, as an accepted message's. */
    async recordChatEvent(input: RecordChatEventInput): Promise<void> {
      const delivery: NewDelivery = {
        deliveryId: input.deliveryId,
        tenantId: input.tenantId,
        integrationId: input.integrationId,
        event: input.event,
        createdAt: new Date(input.createdAt),
      };
      await deliveries.insertPayload(delivery);
      await deliveries.insertListed(delivery);
      recentPayloads.set(input.deliveryId, input.event);
    },

    /** An attempt that `attemptWebhookDelivery` could not write in time. */
    async recordDeliveryAttempt(record: DeliveryAttemptRecord): Promise<void> {
      await insertAttemptRecord(deliveries, record);
    },

    /**
     * A series ended without success (permanent failure, or DELIVERY_MAX_DURATION spent): the delivery reads FAILED.
     */
    async recordDeliveryGivenUp(input: DeliveryGivenUpInput): Promise<void> {
      const inserted = await deliveries.insertGivenUp({
        deliveryId: input.deliveryId,
        series: input.series,
        at: new Date(input.at),
        error: input.reason.slice(0, MAX_ERROR_TEXT),
      });
      if (inserted) metrics.deliveries.inc({ outcome: 'failed' });
    },
  };
}
