import mongoose, { type Connection, type InferRawDocTypeFromSchema } from 'mongoose';
import { ChatEventTypeSchema } from '../domain/webhook-template.js';

const { Schema } = mongoose;

const deliveryAttemptSchema = Schema.create(
  {
    at: { type: Date, required: true },
    statusCode: { type: Number, default: null },
    error: { type: String, default: null },
    durationMs: { type: Number, required: true },
  },
  { _id: false },
);

/**
 * One client-webhook delivery (its id is the `webhook-id` header). Rows of legacy chats embed
 * their attempts and status (updated per attempt); rows of chat sessions (`outbox: true`) are
 * inserted once, PENDING, when the event is accepted, and never updated: their attempts and
 * status are read from the deliveryattempts collection.
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
    status: { type: String, enum: ['PENDING', 'SUCCEEDED', 'FAILED'] as const, required: true },
    createdAt: { type: Date, required: true },
    attempts: { type: [deliveryAttemptSchema], default: [] },
    lastError: { type: String, default: null },
    /** True for rows of chat sessions: `status`, `attempts` and `lastError` live in deliveryattempts. */
    outbox: { type: Boolean },
  },
  { versionKey: false, minimize: false },
);
deliverySchema.index({ integrationId: 1, _id: 1 });
deliverySchema.index({ integrationId: 1, chatId: 1 });

/** Mongoose types a Mixed path as `any`; the payload is a JSON object. */
export type DeliveryDoc = Omit<InferRawDocTypeFromSchema<typeof deliverySchema>, 'payload'> & { payload: Record<string, unknown> };
export type DeliveryAttempt = InferRawDocTypeFromSchema<typeof deliveryAttemptSchema>;

export const createDeliveryModel = (db: Connection) => db.model('Delivery', deliverySchema);
export type DeliveryModel = ReturnType<typeof createDeliveryModel>;
