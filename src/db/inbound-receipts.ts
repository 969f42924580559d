import mongoose, { type Connection, type InferRawDocTypeFromSchema } from 'mongoose';
import type { Models } from './models.js';

const { Schema } = mongoose;

/** How long a (connection, messageId) answers as a duplicate (SPEC 3), across chats. */
export const INBOUND_RECEIPT_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * One accepted carrier message, keyed by (connection, messageId) in `_id`: the insert itself is
 * the de-duplication (a unique key every engine enforces), and a look-up is an `_id` equality,
 * the one filter the embedded FerretDB/SQLite engine pushes down. Expired receipts are replaced
 * in place when the same id comes back (no TTL index: FerretDB has none).
 */
const inboundReceiptSchema = Schema.create(
  {
    _id: { type: String, required: true },
    chatId: { type: String, required: true },
    deliveryId: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);

export type InboundReceiptDoc = InferRawDocTypeFromSchema<typeof inboundReceiptSchema>;

export const createInboundReceiptModel = (db: Connection) => db.model('InboundReceipt', inboundReceiptSchema);
export type InboundReceiptModel = ReturnType<typeof createInboundReceiptModel>;

/** A newline cannot occur in a connection code, so the pair maps to one key and back. */
export const inboundReceiptId = (connectionCode: string, messageId: string) => `${connectionCode}\n${messageId}`;

export const isReceiptCurrent = (receipt: { createdAt: Date }, nowMs: number) => nowMs - receipt.createdAt.getTime() < INBOUND_RECEIPT_WINDOW_MS;

/** The receipt of a message accepted within the last 7 days, or null (never seen, or expired). */
export async function findInboundReceipt(
  models: Models,
  connectionCode: string,
  messageId: string,
  nowMs = Date.now(),
): Promise<{ chatId: string; deliveryId: string; createdAt: Date } | null> {
  const receipt = await models.InboundReceipt.findById(inboundReceiptId(connectionCode, messageId)).lean<InboundReceiptDoc>();
  if (!receipt || !isReceiptCurrent(receipt, nowMs)) return null;
  return { chatId: receipt.chatId, deliveryId: receipt.deliveryId, createdAt: receipt.createdAt };
}
