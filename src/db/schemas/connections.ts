import mongoose, { type Connection, type InferRawDocTypeFromSchema } from 'mongoose';
import { ChannelSchema } from '../../domain/webhook-template.js';

const { Schema } = mongoose;

const carrierSchema = Schema.create(
  {
    type: { type: String, enum: ['http', 'sandbox'] as const, required: true },
    url: { type: String, allowNull: false },
    secretSealed: { type: String, allowNull: false },
  },
  { _id: false },
);

const connectionSchema = Schema.create(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true, index: true },
    code: { type: String, required: true, unique: true },
    channel: { type: String, enum: ChannelSchema.options, required: true },
    senders: { type: [String], required: true },
    carrier: { type: carrierSchema, required: true },
  },
  { timestamps: true, versionKey: false },
);

export type ConnectionDoc = InferRawDocTypeFromSchema<typeof connectionSchema>;

export const createConnectionModel = (db: Connection) => db.model('Connection', connectionSchema);
export type ConnectionModel = ReturnType<typeof createConnectionModel>;
