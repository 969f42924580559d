import mongoose, { type Connection, type InferRawDocTypeFromSchema } from 'mongoose';
import { ChatEventTypeSchema } from '../../domain/webhook-template.js';

const { Schema } = mongoose;

/**
 * One client-webhook delivery (its id is the `webhook-id` header), inserted once when the event
 * is accepted and never updated: its attempts, status and last error are read from the
 * deliveryattempts collection (an update per attempt would scan this collection on the embedded
 * FerretDB/SQLite engine).
 */
const deliverySchema = Schema.create(
  {
    deliveryId: { type: String, required: true, unique: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    integrationId: { type: Schema.Types.ObjectId, required: true },
    chatId: { type: String, required: true },
    contact: { type: String, required: true },
    event: { type: String, enum: ChatEventTypeSchema.options, required: true },
    /** The chat event rendered into the request, kept for replay. */
    payload: { type: Schema.Types.Mixed, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);
deliverySchema.index({ integrationId: 1, _id: 1 });
deliverySchema.index({ integrationId: 1, chatId: 1 });

/** Mongoose types a Mixed path as `any`; the payload is a JSON object. */
export type DeliveryDoc = Omit<InferRawDocTypeFromSchema<typeof deliverySchema>, 'payload'> & {
  payload: Record<string, unknown>;
};

export const createDeliveryModel = (db: Connection) => db.model('Delivery', deliverySchema);
export type DeliveryModel = ReturnType<typeof createDeliveryModel>;
