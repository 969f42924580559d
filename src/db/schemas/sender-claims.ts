import mongoose, { type Connection, type InferRawDocTypeFromSchema } from 'mongoose';
import { ChannelSchema } from '../../domain/webhook-template.js';

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
    /**
     * `claimIdOf(channel, key)`, so the MO's look-up is by `_id` (README, "The embedded store's
     * look-ups"); a claim written before has an ObjectId and is found by (channel, sender).
     */
    _id: { type: Schema.Types.Mixed },
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

/** The `_id` of the claim on (channel, claim key): unique as the pair is. */
export const claimIdOf = (channel: string, key: string) => `${channel}:${key}`;

export type SenderClaimDoc = InferRawDocTypeFromSchema<typeof senderClaimSchema>;

export const createSenderClaimModel = (db: Connection) => db.model('SenderClaim', senderClaimSchema);
export type SenderClaimModel = ReturnType<typeof createSenderClaimModel>;
