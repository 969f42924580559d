import mongoose, { type Connection, type InferRawDocTypeFromSchema, type Types } from 'mongoose';
import { ChannelSchema, type Channel } from '../domain/webhook-template.js';
import { isDuplicateKeyError } from './duplicate-key.js';
import type { Models } from './models.js';

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

export interface OwnershipRequest {
  channel: Channel;
  senders: readonly string[];
  tenantId: Types.ObjectId;
  connectionCode: string;
}

export type OwnershipOutcome = { ok: true } | { ok: false; taken: string[] };

/**
 * Records each sender as the tenant's, for this connection; all or none. Each step is one
 * atomic write: the insert races on the unique index, and joining the tenant's existing row is
 * an update filtered by the tenant, so a sender another tenant holds is never joined.
 */
export async function ownSenders(models: Models, request: OwnershipRequest): Promise<OwnershipOutcome> {
  const { channel, tenantId, connectionCode } = request;
  const owned: string[] = [];
  const taken: string[] = [];
  for (const sender of request.senders) {
    if (await ownOne(models, channel, sender, tenantId, connectionCode)) owned.push(sender);
    else taken.push(sender);
  }
  if (taken.length === 0) return { ok: true };
  await disownSenders(models, { channel, senders: owned, tenantId, connectionCode });
  return { ok: false, taken };
}

async function ownOne(models: Models, channel: Channel, sender: string, tenantId: Types.ObjectId, connectionCode: string): Promise<boolean> {
  // Two rounds: the tenant's row may be removed between a refused insert and the join.
  for (let round = 0; round < 2; round += 1) {
    try {
      await models.SenderOwnership.create({ channel, sender, tenantId, connectionCodes: [connectionCode] });
      return true;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    const joined = await models.SenderOwnership.updateOne({ channel, sender, tenantId }, { $addToSet: { connectionCodes: connectionCode } });
    if (joined.matchedCount > 0) return true;
    if (await models.SenderOwnership.exists({ channel, sender })) return false;
  }
  return false;
}

/** Removes the connection from each sender's row; a row no connection lists any more is deleted. */
export async function disownSenders(models: Models, request: OwnershipRequest): Promise<void> {
  const { channel, tenantId, connectionCode } = request;
  for (const sender of request.senders) {
    await models.SenderOwnership.updateOne({ channel, sender, tenantId }, { $pull: { connectionCodes: connectionCode } });
    // Only an empty row: a concurrent provisioning that joined it meanwhile keeps it.
    await models.SenderOwnership.deleteOne({ channel, sender, tenantId, connectionCodes: { $size: 0 } });
  }
}
