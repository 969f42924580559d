import mongoose, { type Connection, type InferRawDocTypeFromSchema } from 'mongoose';

const { Schema } = mongoose;

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
