import mongoose, { type Connection, type InferRawDocTypeFromSchema } from 'mongoose';
import { ChannelSchema } from '../../domain/webhook-template.js';

const { Schema } = mongoose;

/** A reply (MT) sent through a carrier; the sandbox carrier's messages are these records. */
const outboundMessageSchema = Schema.create(
  {
    eventId: { type: String, required: true, unique: true },
    tenantId: { type: Schema.Types.ObjectId, required: true, index: true },
    integrationId: { type: Schema.Types.ObjectId, required: true },
    chatId: { type: String, required: true },
    connectionCode: { type: String, required: true },
    carrierType: { type: String, enum: ['http', 'sandbox'] as const, required: true },
    channel: { type: String, enum: ChannelSchema.options, required: true },
    from: { type: String, required: true },
    to: { type: String, required: true },
    text: { type: String, required: true },
    status: { type: String, enum: ['SENT', 'FAILED'] as const, required: true },
    error: { type: String, default: null },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);

export type OutboundMessageDoc = InferRawDocTypeFromSchema<typeof outboundMessageSchema>;

export const createOutboundMessageModel = (db: Connection) => db.model('OutboundMessage', outboundMessageSchema);
export type OutboundMessageModel = ReturnType<typeof createOutboundMessageModel>;
