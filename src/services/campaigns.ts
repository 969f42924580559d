/**
 * Chatbot Service campaigns linked to an integration with no connections (SPEC section 2): a
 * LIVE campaign claims its senders, so inbound messages to them reach the integration.
 */
import type { CampaignDoc, CampaignRepository } from '../db/campaigns.js';
import type { ConnectionRepository } from '../db/connections.js';
import type { IntegrationDoc, IntegrationRepository } from '../db/integrations.js';
import type { Page } from '../db/pagination.js';
import { describeConflicts, type SenderRepository } from '../db/senders.js';
import type { CampaignCreate, ListQuery } from '../domain/request-schemas.js';
import { checkQuota, type QuotaDeps } from './quotas.js';
import { tenantSendersOf } from './connections.js';
import { AppError, ErrorCode, notFound } from './errors.js';
import { findTenantIntegration } from './integrations.js';

export interface CampaignDeps {
  campaigns: CampaignRepository;
  /** A campaign is linked to an active integration with no connections. */
  integrations: IntegrationRepository;
  /** A campaign's senders are its tenant's own connections' senders. */
  connections: ConnectionRepository;
  /** Going LIVE claims the senders, pausing releases them. */
  senders: SenderRepository;
  /** QUOTA_CAMPAIGNS and the tenant's override. */
  quotas: QuotaDeps['quotas'];
  tenants: QuotaDeps['tenants'];
}

export async function findTenantCampaign(
  deps: Pick<CampaignDeps, 'campaigns'>,
  input: { tenantId: string; id: string },
): Promise<CampaignDoc> {
  const doc = await deps.campaigns.findForTenant(input.tenantId, input.id);
  if (!doc) throw notFound('Campaign');
  return doc;
}

/**
 * A DRAFT campaign on senders of the tenant's own connections, linked to an active integration that has no connections.
 */
export async function createCampaign(
  deps: Pick<CampaignDeps, 'campaigns' | 'integrations' | 'connections' | 'quotas' | 'tenants'>,
  request: { tenantId: string; input: CampaignCreate },
): Promise<CampaignDoc> {
  const { tenantId, input } = request;
  const integration = await findTenantIntegration(deps, { tenantId, id: input.integrationId });
  if (integration.connections.length > 0) {
    throw new AppError({
      code: ErrorCode.INTEGRATION_HAS_CONNECTIONS,
      message: 'Only an integration with no connections can be linked to a Chatbot campaign',
    });
  }
  if (integration.status !== 'ACTIVE')
    throw new AppError({
      code: ErrorCode.INTEGRATION_INACTIVE,
      message: 'Start the integration before linking a campaign to it',
    });
  await tenantSendersOf(deps, { tenantId, channel: input.channel, senders: input.senders, field: 'senders.{index}' });
  await checkQuota(deps, { tenantId, quota: 'campaigns', used: () => deps.campaigns.countForTenant(tenantId) });
  return deps.campaigns.insert({
    tenantId,
    name: input.name,
    channel: input.channel,
    senders: input.senders,
    integrationId: integration._id,
  });
}

export function listCampaigns(
  deps: Pick<CampaignDeps, 'campaigns'>,
  input: { tenantId: string; query: ListQuery },
): Promise<Page<CampaignDoc>> {
  return deps.campaigns.list(input.tenantId, input.query);
}

/** Goes LIVE by claiming every sender (all or none); LIVE again is a no-op. */
export async function goLive(deps: CampaignDeps, input: { tenantId: string; id: string }): Promise<CampaignDoc> {
  const campaign = await findTenantCampaign(deps, input);
  if (campaign.status === 'LIVE') return campaign;
  const integration = await deps.integrations.findById(campaign.integrationId);
  if (integration?.status !== 'ACTIVE')
    throw new AppError({ code: ErrorCode.INTEGRATION_INACTIVE, message: 'The linked integration is not active' });
  // Checked again here: a campaign created before senders were checked, or whose connection
  // has since been deleted, cannot claim what is not the tenant's.
  const senders = await tenantSendersOf(deps, {
    tenantId: campaign.tenantId,
    channel: campaign.channel,
    senders: campaign.senders,
    field: 'senders.{index}',
  });
  const outcome = await deps.senders.claim({
    channel: campaign.channel,
    senders,
    holderKind: 'CAMPAIGN',
    holderId: campaign._id,
    tenantId: campaign.tenantId,
  });
  if (!outcome.ok)
    throw new AppError({
      code: ErrorCode.SENDER_IN_USE,
      message: describeConflicts(outcome.conflicts),
      details: { senders: outcome.conflicts },
    });
  const updated = await deps.campaigns.markLive(campaign._id, campaign.integrationDate ?? new Date());
  if (!updated) throw notFound('Campaign');
  return updated;
}

/** Pauses a LIVE campaign and releases its senders; PAUSED again is a no-op, a DRAFT cannot pause. */
export async function pauseCampaign(
  deps: Pick<CampaignDeps, 'campaigns' | 'senders'>,
  input: { tenantId: string; id: string },
): Promise<CampaignDoc> {
  const campaign = await findTenantCampaign(deps, input);
  if (campaign.status === 'DRAFT')
    throw new AppError({ code: ErrorCode.CAMPAIGN_NOT_LIVE, message: 'A draft campaign has nothing to pause' });
  if (campaign.status === 'LIVE') {
    await deps.campaigns.markPaused(campaign._id);
    await deps.senders.release(campaign._id);
  }
  return { ...campaign, status: 'PAUSED' };
}

/** The campaigns linked to one integration; CHATBOT integrations (no connections) are driven by them. */
export async function integrationCampaigns(
  deps: Pick<CampaignDeps, 'campaigns' | 'integrations'>,
  input: { tenantId: string; integrationId: string },
): Promise<{ integration: IntegrationDoc; campaigns: CampaignDoc[] }> {
  const integration = await findTenantIntegration(deps, { tenantId: input.tenantId, id: input.integrationId });
  const campaigns = await deps.campaigns.listLinkedTo(input.tenantId, integration._id);
  return { integration, campaigns };
}
