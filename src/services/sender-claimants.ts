import type { Types } from 'mongoose';
import type { Models, SenderClaimDoc } from '../db/models.js';
import type { Channel } from '../domain/webhook-template.js';

export interface SenderClaimant {
  claim: SenderClaimDoc;
  /** The integration that answers for the sender: the claim's holder, or the integration its live campaign is linked to. */
  integrationId: Types.ObjectId;
}

/**
 * Who answers for a sender right now (SPEC section 2): the active integration whose connection
 * claimed it, or, in chatbot mode, the integration a live campaign holding it is linked to. Both
 * directions route by this one rule: an inbound message on the sender goes to that integration,
 * and a reply may go out from the sender only for that integration.
 */
export async function claimantOf(models: Models, channel: Channel, sender: string): Promise<SenderClaimant | undefined> {
  const claim = await models.SenderClaim.findOne({ channel, sender }).lean();
  if (!claim) return undefined;
  if (claim.holderKind === 'INTEGRATION') return { claim, integrationId: claim.holderId };
  // The campaign's status and its claim are separate writes: the campaign must be LIVE too.
  const campaign = await models.Campaign.findOne({ _id: claim.holderId, status: 'LIVE' }, { integrationId: 1 }).lean();
  return campaign ? { claim, integrationId: campaign.integrationId } : undefined;
}
