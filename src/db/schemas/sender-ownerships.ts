import mongoose, { type Connection, type InferRawDocTypeFromSchema } from 'mongoose';
import { ChannelSchema } from '../../domain/webhook-template.js';

const { Schema } = mongoose;

/**
 * Which tenant a real (channel, sender) belongs to (SPEC section 2): one row per sender, written
 * when an operator provisions an `http` connection that lists it, so the unique index (not a
 * read before the write) decides between two tenants. The same tenant may list the sender on
 * several connections (a second carrier account for it): the row keeps every such code, and goes
 * when the last one is deleted. Sandbox senders have no row: they live in their tenant's namespace.
 */
const senderOwnershipSchema = Schema.create(
  {
    channel: { type: String, enum: ChannelSchema.options, required: true },
    sender: { type: String, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    connectionCodes: { type: [String], required: true },
  },
  { versionKey: false },
);
senderOwnershipSchema.index({ channel: 1, sender: 1 }, { unique: true });

export type SenderOwnershipDoc = InferRawDocTypeFromSchema<typeof senderOwnershipSchema>;

export const createSenderOwnershipModel = (db: Connection) => db.model('SenderOwnership', senderOwnershipSchema);
export type SenderOwnershipModel = ReturnType<typeof createSenderOwnershipModel>;
