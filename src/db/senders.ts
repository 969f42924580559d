/**
 * Senders: which tenant a real sender belongs to (ownerships) and who answers for a sender now
 * (claims). Both are decided by a unique (channel, sender) index, not by a read before the write.
 */
import type { Types } from 'mongoose';
import type { Channel } from '../domain/webhook-template.js';
import { insertOr } from './duplicate-key.js';
import { asObjectId, type Id } from './ids.js';
import type { Models } from './models.js';
import { claimIdOf, type ClaimHolderKind, type SenderClaimDoc } from './schemas/sender-claims.js';

export type { ClaimHolderKind, SenderClaimDoc };

export interface SenderConflict {
  sender: string;
  /** What holds the sender, in words a tenant may read (another tenant's names are not shown). */
  heldBy: string;
}

/** Where a sender is claimed: platform-wide for a real carrier's sender, within its tenant for a sandbox one. */
export type SenderScope = 'REAL' | 'SANDBOX';

/** Who answers for a sender's claim (src/services/sender-claimants.ts decides it). */
export interface SenderClaimant {
  claim: SenderClaimDoc;
  /**
   * The integration that answers for the sender: the claim's holder, or the integration its live campaign is linked to.
   */
  integrationId: Types.ObjectId;
}

/** Senders are digits or letters (request schemas), so a key with ":" is never a real sender. */
export const claimKeyOf = (tenantId: Types.ObjectId, scope: SenderScope, sender: string) =>
  scope === 'REAL' ? sender : `sandbox:${tenantId.toHexString()}:${sender}`;

/** The scope of a connection's senders, by its carrier. */
export const senderScopeOf = (carrierType: 'http' | 'sandbox'): SenderScope =>
  carrierType === 'sandbox' ? 'SANDBOX' : 'REAL';

export interface ScopedSender {
  sender: string;
  scope: SenderScope;
}

export interface ClaimRequest {
  channel: Channel;
  senders: readonly ScopedSender[];
  holderKind: ClaimHolderKind;
  holderId: Id;
  tenantId: Id;
  connectionCode?: string;
}

export type ClaimOutcome = { ok: true } | { ok: false; conflicts: SenderConflict[] };

export interface OwnershipRequest {
  channel: Channel;
  senders: readonly string[];
  tenantId: Id;
  connectionCode: string;
}

export type OwnershipOutcome = { ok: true } | { ok: false; taken: string[] };

export const describeConflicts = (conflicts: readonly SenderConflict[]) =>
  conflicts.map((conflict) => `sender ${conflict.sender} is used by ${conflict.heldBy}`).join('; ');

const FEATURE_WORDS = { AUTO_REPLY: 'an auto-reply', KEYWORD_CAMPAIGN: 'a keyword campaign' } as const;

export function createSenderRepository(
  models: Pick<Models, 'SenderClaim' | 'SenderOwnership' | 'Reservation' | 'Campaign' | 'Integration'>,
) {
  /**
   * Whether claims written before claim ids (ObjectId `_id`s) may remain: asked once, and again at
   * most once a minute while some do; those are found by (channel, sender) after a miss by `_id`.
   */
  let legacyClaims: { remain: boolean; askedAt: number } | undefined;
  async function legacyClaimsRemain(): Promise<boolean> {
    const now = Date.now();
    if (!legacyClaims || (legacyClaims.remain && now - legacyClaims.askedAt > 60_000)) {
      const remain = Boolean(await models.SenderClaim.exists({ _id: { $type: 'objectId' } }));
      legacyClaims = { remain, askedAt: now };
    }
    return legacyClaims.remain;
  }

  /** The claim on a claim key (`claimKeyOf`): by its `_id`, the MO path's look-up. */
  async function findClaim(channel: Channel, key: string): Promise<SenderClaimDoc | null> {
    const claim = await models.SenderClaim.findById(claimIdOf(channel, key)).lean<SenderClaimDoc>();
    if (claim || !(await legacyClaimsRemain())) return claim;
    return models.SenderClaim.findOne({ channel, sender: key }).lean<SenderClaimDoc>();
  }

  async function describeHolder(claim: SenderClaimDoc, tenantId: Types.ObjectId): Promise<string> {
    const sameTenant = claim.tenantId.equals(tenantId);
    if (claim.holderKind === 'CAMPAIGN') {
      const campaign = sameTenant ? await models.Campaign.findById(claim.holderId, { name: 1 }).lean() : null;
      return campaign ? `the live chatbot campaign "${campaign.name}"` : 'a live chatbot campaign';
    }
    const integration = sameTenant ? await models.Integration.findById(claim.holderId, { alias: 1 }).lean() : null;
    return integration
      ? `the active Custom Webhook integration "${integration.alias}"`
      : 'another active Custom Webhook integration';
  }

  /** Joins the tenant's row of a sender, or creates it; false when another tenant's row holds the sender. */
  async function ownOne(
    channel: Channel,
    sender: string,
    tenantId: Types.ObjectId,
    connectionCode: string,
  ): Promise<boolean> {
    // Two rounds: the tenant's row may be removed between a refused insert and the join.
    for (let round = 0; round < 2; round += 1) {
      const owned = await insertOr(
        async () => {
          await models.SenderOwnership.create({ channel, sender, tenantId, connectionCodes: [connectionCode] });
          return true;
        },
        async () =>
          (
            await models.SenderOwnership.updateOne(
              { channel, sender, tenantId },
              { $addToSet: { connectionCodes: connectionCode } },
            )
          ).matchedCount > 0,
      );
      if (owned) return true;
      if (await models.SenderOwnership.exists({ channel, sender })) return false;
    }
    return false;
  }

  async function disown(request: OwnershipRequest): Promise<void> {
    const { channel, connectionCode } = request;
    const tenantId = asObjectId(request.tenantId);
    for (const sender of request.senders) {
      await models.SenderOwnership.updateOne(
        { channel, sender, tenantId },
        { $pull: { connectionCodes: connectionCode } },
      );
      // Only an empty row: a concurrent provisioning that joined it meanwhile keeps it.
      await models.SenderOwnership.deleteOne({ channel, sender, tenantId, connectionCodes: { $size: 0 } });
    }
  }

  return {
    /**
     * Records each sender as the tenant's, for this connection; all or none. Each step is one
     * atomic write: the insert races on the unique index, and joining the tenant's existing row
     * is an update filtered by the tenant, so a sender another tenant holds is never joined.
     */
    async own(request: OwnershipRequest): Promise<OwnershipOutcome> {
      const { channel, connectionCode } = request;
      const tenantId = asObjectId(request.tenantId);
      const owned: string[] = [];
      const taken: string[] = [];
      for (const sender of request.senders) {
        if (await ownOne(channel, sender, tenantId, connectionCode)) owned.push(sender);
        else taken.push(sender);
      }
      if (taken.length === 0) return { ok: true };
      await disown({ channel, senders: owned, tenantId, connectionCode });
      return { ok: false, taken };
    },

    /** Removes the connection from each sender's row; a row no connection lists any more is deleted. */
    disown,

    /**
     * Claims every sender for one holder, or none: the unique (channel, sender) index decides
     * between concurrent claimants, on any number of workers. Re-claiming what the same holder
     * already holds succeeds, so a retried activity is harmless. Reservations (auto-replies,
     * keyword campaigns) are checked first and win.
     */
    async claim(request: ClaimRequest): Promise<ClaimOutcome> {
      const tenantId = asObjectId(request.tenantId);
      const holderId = asObjectId(request.holderId);
      // A reservation is its tenant's own feature on its own sender: another tenant's never blocks.
      const reservations = await models.Reservation.find({
        tenantId,
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
              (reservation.label && reservation.tenantId.equals(tenantId) ? ` ("${reservation.label}")` : ''),
          })),
        };
      }
      const inserted: string[] = [];
      const conflicts: SenderConflict[] = [];
      for (const { sender, scope } of request.senders) {
        const key = claimKeyOf(tenantId, scope, sender);
        const conflict = await insertOr(
          async () => {
            const claim = await models.SenderClaim.create({
              _id: claimIdOf(request.channel, key),
              channel: request.channel,
              sender: key,
              holderKind: request.holderKind,
              holderId,
              tenantId,
              connectionCode: request.connectionCode,
              claimedAt: new Date(),
            });
            inserted.push(claimIdOf(request.channel, key));
            return null;
          },
          async () => {
            const existing = await findClaim(request.channel, key);
            if (existing?.holderId.equals(holderId)) return null;
            return { sender, heldBy: existing ? await describeHolder(existing, tenantId) : 'another claimant' };
          },
        );
        if (conflict) conflicts.push(conflict);
      }
      if (conflicts.length > 0) {
        if (inserted.length > 0) await models.SenderClaim.deleteMany({ _id: { $in: inserted } });
        return { ok: false, conflicts };
      }
      return { ok: true };
    },

    /** Releases the holder's claims (only those made through `connectionCode` when given). */
    async release(holderId: Id, connectionCode?: string): Promise<number> {
      const result = await models.SenderClaim.deleteMany({
        holderId: asObjectId(holderId),
        ...(connectionCode ? { connectionCode } : {}),
      });
      return result.deletedCount;
    },

    /** The claim on a claim key (`claimKeyOf`), by the unique index. */
    findClaim,
  };
}

export type SenderRepository = ReturnType<typeof createSenderRepository>;
