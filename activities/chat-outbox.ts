import { ApplicationFailure } from '@temporalio/activity';
import mongoose from 'mongoose';
import { attemptRowId, givenUpRowId } from '../src/db/delivery-attempts.js';
import { inboundReceiptId, isReceiptCurrent } from '../src/db/inbound-receipts.js';
import { isDuplicateKeyError, type InboundReceiptDoc, type Models } from '../src/db/models.js';
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

/** Inserts that a retry may repeat: the unique key makes the second one a no-op. */
async function insertOnce(insert: () => Promise<unknown>): Promise<boolean> {
  try {
    await insert();
    return true;
  } catch (error) {
    if (isDuplicateKeyError(error)) return false;
    throw error;
  }
}

type DeliveryRows = { deliveryId: string; tenantId: string; integrationId: string; event: ChatEvent; createdAt: Date };

/** The payload a delivery's attempts render: read by `_id` only, never listed. */
async function insertPayload(models: Models, input: DeliveryRows): Promise<void> {
  const tenantId = new mongoose.Types.ObjectId(input.tenantId);
  const integrationId = new mongoose.Types.ObjectId(input.integrationId);
  await insertOnce(() => models.DeliveryPayload.create({ _id: input.deliveryId, tenantId, integrationId, event: { ...input.event }, createdAt: input.createdAt }));
}

/** The delivery as listed (PENDING until its attempt log says otherwise). */
async function insertListedDelivery(models: Models, input: DeliveryRows): Promise<void> {
  await insertOnce(() =>
    models.Delivery.create({
      deliveryId: input.deliveryId,
      tenantId: new mongoose.Types.ObjectId(input.tenantId),
      integrationId: new mongoose.Types.ObjectId(input.integrationId),
      chatId: input.event.chatId,
      contact: input.event.contact,
      event: input.event.event,
      payload: { ...input.event },
      createdAt: input.createdAt,
    }),
  );
}

export async function insertAttemptRecord(models: Models, record: DeliveryAttemptRecord): Promise<boolean> {
  const at = new Date(record.at);
  return insertOnce(() =>
    models.DeliveryAttemptRow.create({
      _id: attemptRowId({ ...record, at }),
      deliveryId: record.deliveryId,
      series: record.series,
      attempt: record.attempt,
      kind: 'ATTEMPT',
      at,
      statusCode: record.statusCode,
      error: record.error?.slice(0, MAX_ERROR_TEXT) ?? null,
      durationMs: record.durationMs,
      outcome: record.outcome,
    }),
  );
}

/**
 * The outbox of chat sessions: an accepted event is written (inserts only) before the chat
 * answers, and every attempt and series outcome is an inserted row. Every activity here is
 * idempotent, so Temporal may retry any of them.
 */
export function createChatOutboxActivities(deps: { models: Models; metrics: ChathookMetrics; recentPayloads?: RecentPayloads }) {
  const { models, metrics, recentPayloads } = deps;

  /**
   * Takes (connection, messageId) for this delivery: null when it is ours (new, our own retry, or
   * an expired receipt replaced), else the delivery that took it first. The unique `_id` decides.
   */
  async function takeReceipt(receipt: InboundReceiptDoc): Promise<{ chatId: string; deliveryId: string } | null> {
    const nowMs = receipt.createdAt.getTime();
    for (let round = 0; round < 3; round += 1) {
      if (await insertOnce(() => models.InboundReceipt.create(receipt))) return null;
      const existing = await models.InboundReceipt.findById(receipt._id).lean<InboundReceiptDoc>();
      if (!existing) continue;
      if (existing.deliveryId === receipt.deliveryId) return null;
      if (isReceiptCurrent(existing, nowMs)) return { chatId: existing.chatId, deliveryId: existing.deliveryId };
      const replaced = await models.InboundReceipt.replaceOne({ _id: receipt._id, deliveryId: existing.deliveryId }, receipt);
      if (replaced.matchedCount === 1) return null;
    }
    throw ApplicationFailure.create({ message: 'the receipt of this message keeps changing' });
  }

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
      if (input.openChat) await recordChatOpenedRow(models, input.openChat);
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
      const rows = { deliveryId: input.deliveryId, tenantId: input.tenantId, integrationId: input.integrationId, event, createdAt };
      await insertPayload(models, rows);
      const duplicateOf = await takeReceipt({ _id: inboundReceiptId(message.connectionCode, message.messageId), chatId: input.chatId, deliveryId: input.deliveryId, createdAt });
      if (duplicateOf) return { duplicateOf };
      await insertListedDelivery(models, rows);
      recentPayloads?.set(input.deliveryId, event);
      return { duplicateOf: null };
    },

    /** An event the chat itself creates (END): its delivery row and payload. */
    async recordChatEvent(input: RecordChatEventInput): Promise<void> {
      const rows = { ...input, createdAt: new Date(input.createdAt) };
      await insertPayload(models, rows);
      await insertListedDelivery(models, rows);
      recentPayloads?.set(input.deliveryId, input.event);
    },

    /** An attempt that `attemptWebhookDelivery` could not write in time. */
    async recordDeliveryAttempt(record: DeliveryAttemptRecord): Promise<void> {
      await insertAttemptRecord(models, record);
    },

    /** A series ended without success (permanent failure, or DELIVERY_MAX_DURATION spent): the delivery reads FAILED. */
    async recordDeliveryGivenUp(input: DeliveryGivenUpInput): Promise<void> {
      const inserted = await insertOnce(() =>
        models.DeliveryAttemptRow.create({
          _id: givenUpRowId(input.deliveryId, input.series),
          deliveryId: input.deliveryId,
          series: input.series,
          attempt: 0,
          kind: 'GIVEN_UP',
          at: new Date(input.at),
          statusCode: null,
          error: input.reason.slice(0, MAX_ERROR_TEXT),
          durationMs: 0,
          outcome: 'FAILED',
        }),
      );
      if (inserted) metrics.deliveries.inc({ outcome: 'failed' });
    },
  };
}
