import type { CampaignRepository } from '../db/campaigns.js';
import type { ConnectionDoc } from '../db/connections.js';
import type { IntegrationDoc } from '../db/integrations.js';
import {
  claimKeyOf,
  senderScopeOf,
  type SenderClaimant,
  type SenderRepository,
  type SenderScope,
} from '../db/senders.js';
import type { Channel } from '../domain/webhook-template.js';

export interface ClaimantDeps {
  senders: SenderRepository;
  /** A campaign's claim routes only while the campaign is LIVE. */
  campaigns: CampaignRepository;
}

/**
 * Who answers for a claim key right now (SPEC section 2): the active integration whose connection
 * claimed it, or, in chatbot mode, the integration a live campaign holding it is linked to. Both
 * directions route by this one rule: an inbound message on the sender goes to that integration,
 * and a reply may go out from the sender only for that integration.
 */
async function claimantOfKey(deps: ClaimantDeps, channel: Channel, key: string): Promise<SenderClaimant | undefined> {
  const claim = await deps.senders.findClaim(channel, key);
  if (!claim) return undefined;
  if (claim.holderKind === 'INTEGRATION') return { claim, integrationId: claim.holderId };
  // The campaign's status and its claim are separate writes: the campaign must be LIVE too.
  const campaign = await deps.campaigns.findLive(claim.holderId);
  return campaign ? { claim, integrationId: campaign.integrationId } : undefined;
}

/**
 * The claimant of a sender as it arrives on one connection (SPEC section 3): looked up in the
 * connection's namespace (a sandbox connection's is its tenant's), held by the connection's
 * tenant, and, for an integration, claimed through this very connection. A claim made through
 * another connection listing the same sender does not route this connection's traffic.
 */
export async function connectionClaimantOf(
  deps: ClaimantDeps,
  input: { connection: ConnectionDoc; sender: string },
): Promise<SenderClaimant | undefined> {
  const { connection, sender } = input;
  const key = claimKeyOf(connection.tenantId, senderScopeOf(connection.carrier.type), sender);
  const claimant = await claimantOfKey(deps, connection.channel, key);
  if (!claimant?.claim.tenantId.equals(connection.tenantId)) return undefined;
  if (claimant.claim.holderKind === 'INTEGRATION' && claimant.claim.connectionCode !== connection.code)
    return undefined;
  return claimant;
}

const SCOPES: readonly SenderScope[] = ['REAL', 'SANDBOX'];

/**
 * The claim that lets an integration send from a sender (a reply, SPEC section 5): the sender
 * may be a real one or one of the integration's tenant's sandbox senders.
 */
export async function integrationClaimantOf(
  deps: ClaimantDeps,
  input: { integration: IntegrationDoc; channel: Channel; sender: string },
): Promise<SenderClaimant | undefined> {
  const { integration, channel, sender } = input;
  for (const scope of SCOPES) {
    const claimant = await claimantOfKey(deps, channel, claimKeyOf(integration.tenantId, scope, sender));
    if (claimant?.integrationId.equals(integration._id)) return claimant;
  }
  return undefined;
}
