import mongoose, { type Connection, type InferRawDocTypeFromSchema, type Types } from 'mongoose';
import { ChannelSchema, type Channel } from '../domain/webhook-template.js';
import { isDuplicateKeyError } from './duplicate-key.js';
import type { Models } from './models.js';

const { Schema } = mongoose;

const CLAIM_HOLDER_KINDS = ['INTEGRATION', 'CAMPAIGN'] as const;
export type ClaimHolderKind = (typeof CLAIM_HOLDER_KINDS)[number];

/**
 * One active claimant per (channel, claim key): the unique index is the guard. A real sender's
 * key is the sender itself (platform-wide); a sandbox sender's key is prefixed by its tenant
 * (`claimKeyOf`), so it never meets a real sender or another tenant's sandbox.
 */
const senderClaimSchema = Schema.create(
  {
    channel: { type: String, enum: ChannelSchema.options, required: true },
    /** The claim key (see `claimKeyOf`). */
    sender: { type: String, required: true },
    holderKind: { type: String, enum: CLAIM_HOLDER_KINDS, required: true },
    holderId: { type: Schema.Types.ObjectId, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    /** The integration's connection the claim came from (absent for campaigns). */
    connectionCode: { type: String, allowNull: false },
    claimedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
senderClaimSchema.index({ channel: 1, sender: 1 }, { unique: true });
senderClaimSchema.index({ holderId: 1 });

export type SenderClaimDoc = InferRawDocTypeFromSchema<typeof senderClaimSchema>;

export const createSenderClaimModel = (db: Connection) => db.model('SenderClaim', senderClaimSchema);
export type SenderClaimModel = ReturnType<typeof createSenderClaimModel>;

export interface SenderConflict {
  sender: string;
  /** What holds the sender, in words a tenant may read (another tenant's names are not shown). */
  heldBy: string;
}

/** Where a sender is claimed: platform-wide for a real carrier's sender, within its tenant for a sandbox one. */
export type SenderScope = 'REAL' | 'SANDBOX';

/** Senders are digits or letters (request schemas), so a key with ":" is never a real sender. */
export const claimKeyOf = (tenantId: Types.ObjectId, scope: SenderScope, sender: string) =>
  scope === 'REAL' ? sender : `sandbox:${tenantId.toHexString()}:${sender}`;

/** The scope of a connection's senders, by its carrier. */
export const senderScopeOf = (carrierType: 'http' | 'sandbox'): SenderScope => (carrierType === 'sandbox' ? 'SANDBOX' : 'REAL');

export interface ScopedSender {
  sender: string;
  scope: SenderScope;
}

export interface ClaimRequest {
  channel: Channel;
  senders: readonly ScopedSender[];
  holderKind: ClaimHolderKind;
  holderId: Types.ObjectId;
  tenantId: Types.ObjectId;
  connectionCode?: string;
}

export type ClaimOutcome = { ok: true } | { ok: false; conflicts: SenderConflict[] };

const FEATURE_WORDS = { AUTO_REPLY: 'an auto-reply', KEYWORD_CAMPAIGN: 'a keyword campaign' } as const;

async function describeHolder(models: Models, claim: SenderClaimDoc, tenantId: Types.ObjectId): Promise<string> {
  const sameTenant = claim.tenantId.equals(tenantId);
  if (claim.holderKind === 'CAMPAIGN') {
    const campaign = sameTenant ? await models.Campaign.findById(claim.holderId, { name: 1 }).lean() : null;
    return campaign ? `the live chatbot campaign "${campaign.name}"` : 'a live chatbot campaign';
  }
  const integration = sameTenant ? await models.Integration.findById(claim.holderId, { alias: 1 }).lean() : null;
  return integration ? `the active Custom Webhook integration "${integration.alias}"` : 'another active Custom Webhook integration';
}

/**
 * Claims every sender for one holder, or none: the unique (channel, sender) index decides
 * between concurrent claimants, on any number of workers. Re-claiming what the same holder
 * already holds succeeds, so a retried activity is harmless. Reservations (auto-replies,
 * keyword campaigns) are checked first and win.
 */
export async function claimSenders(models: Models, request: ClaimRequest): Promise<ClaimOutcome> {
  // A reservation is its tenant's own feature on its own sender: another tenant's never blocks.
  const reservations = await models.Reservation.find({
    tenantId: request.tenantId,
    channel: request.channel,
    sender: { $in: request.senders.map(({ sender }) => sender) },
  }).lean();
  if (reservations.length > 0) {
    return {
      ok: false,
      conflicts: reservations.map((reservation) => ({
        sender: reservation.sender,
        heldBy:
          FEATURE_WORDS[reservation.feature] +
          (reservation.label && reservation.tenantId.equals(request.tenantId) ? ` ("${reservation.label}")` : ''),
      })),
    };
  }
  const inserted: Types.ObjectId[] = [];
  const conflicts: SenderConflict[] = [];
  for (const { sender, scope } of request.senders) {
    const key = claimKeyOf(request.tenantId, scope, sender);
    try {
      const claim = await models.SenderClaim.create({
        channel: request.channel,
        sender: key,
        holderKind: request.holderKind,
        holderId: request.holderId,
        tenantId: request.tenantId,
        connectionCode: request.connectionCode,
        claimedAt: new Date(),
      });
      inserted.push(claim._id);
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      const existing = await models.SenderClaim.findOne({ channel: request.channel, sender: key }).lean();
      if (existing?.holderId.equals(request.holderId)) continue;
      conflicts.push({ sender, heldBy: existing ? await describeHolder(models, existing, request.tenantId) : 'another claimant' });
    }
  }
  if (conflicts.length > 0) {
    if (inserted.length > 0) await models.SenderClaim.deleteMany({ _id: { $in: inserted } });
    return { ok: false, conflicts };
  }
  return { ok: true };
}

export async function releaseClaims(models: Models, holderId: Types.ObjectId, connectionCode?: string): Promise<number> {
  const result = await models.SenderClaim.deleteMany({ holderId, ...(connectionCode ? { connectionCode } : {}) });
  return result.deletedCount;
}

export const describeConflicts = (conflicts: readonly SenderConflict[]) =>
  conflicts.map((conflict) => `sender ${conflict.sender} is used by ${conflict.heldBy}`).join('; ');
