import mongoose, { type Connection, type InferRawDocTypeFromSchema } from 'mongoose';
import type { ChatEvent } from '../../domain/webhook-template.js';

const { Schema } = mongoose;

/**
 * The chat event of a delivery recorded by a chat session, keyed by its delivery id (the
 * `webhook-id`): each attempt reads it by `_id`, the one filter the embedded FerretDB/SQLite
 * engine pushes down (measured at 20,000 rows: ~27 ms by `_id`, ~550 ms by the unique
 * `deliveryId` of the deliveries collection, whose `_id`s stay ObjectIds for the list's keyset
 * pagination). Inserted once, with the delivery row, when the event is accepted.
 */
const deliveryPayloadSchema = Schema.create(
  {
    _id: { type: String, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    integrationId: { type: Schema.Types.ObjectId, required: true },
    event: { type: Schema.Types.Mixed, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);

/** Mongoose types a Mixed path as `any`; the event is the ChatEvent rendered into the request. */
export type DeliveryPayloadDoc = Omit<InferRawDocTypeFromSchema<typeof deliveryPayloadSchema>, 'event'> & {
  event: ChatEvent;
};

export const createDeliveryPayloadModel = (db: Connection) => db.model('DeliveryPayload', deliveryPayloadSchema);
export type DeliveryPayloadModel = ReturnType<typeof createDeliveryPayloadModel>;
