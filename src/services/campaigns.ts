/**
 * Chatbot Service campaigns linked to an integration with no connections (SPEC section 2): a
 * LIVE campaign claims its senders, so inbound messages to them reach the integration.
 */
import type { CampaignDoc, IntegrationDoc, Models } from '../db/models.js';
import { listPage, objectIdOrNull, type Page } from '../db/pagination.js';
import { claimSenders, describeConflicts, releaseClaims } from '../db/sender-claims.js';
import type { CampaignCreate, ListQuery } from '../domain/request-schemas.js';
import { tenantSendersOf } from './connections.js';
import { AppError, ErrorCode, notFound } from './errors.js';
import { findTenantIntegration } from './integrations.js';

export async function findTenantCampaign(models: Models, tenantId: string, id: string): Promise<CampaignDoc> {
  const doc = await models.Campaign.findOne({ tenantId, _id: objectIdOrNull(id) }).lean();
  if (!doc) throw notFound('Campaign');
  return doc;
}

/** A DRAFT campaign on senders of the tenant's own connections, linked to an active integration that has no connections. */
export async function createCampaign(models: Models, tenantId: string, input: CampaignCreate): Promise<CampaignDoc> {
  const integration = await findTenantIntegration(models, tenantId, input.integrationId);
  if (integration.connections.length > 0) {
    throw new AppError({ code: ErrorCode.INTEGRATION_HAS_CONNECTIONS, message: 'Only an integration with no connections can be linked to a Chatbot campaign' });
  }
  if (integration.status !== 'ACTIVE') throw new AppError({ code: ErrorCode.INTEGRATION_INACTIVE, message: 'Start the integration before linking a campaign to it' });
  await tenantSendersOf(models, tenantId, input.channel, input.senders, 'senders.{index}');
  const doc = await models.Campaign.create({ tenantId, ...input, integrationId: integration._id, status: 'DRAFT' });
  return doc.toObject();
}

export function listCampaigns<T>(models: Models, tenantId: string, query: ListQuery, present: (doc: CampaignDoc) => T): Promise<Page<T>> {
  return listPage(query, (range, limit) => models.Campaign.find({ tenantId, ...range }).sort({ _id: 1 }).limit(limit).lean(), present);
}

/** Goes LIVE by claiming every sender (all or none); LIVE again is a no-op. */
export async function goLive(models: Models, tenantId: string, id: string): Promise<CampaignDoc> {
  const campaign = await findTenantCampaign(models, tenantId, id);
  if (campaign.status === 'LIVE') return campaign;
  const integration = await models.Integration.findById(campaign.integrationId, { status: 1 }).lean();
  if (integration?.status !== 'ACTIVE') throw new AppError({ code: ErrorCode.INTEGRATION_INACTIVE, message: 'The linked integration is not active' });
  // Checked again here: a campaign created before senders were checked, or whose connection
  // has since been deleted, cannot claim what is not the tenant's.
  const senders = await tenantSendersOf(models, campaign.tenantId, campaign.channel, campaign.senders, 'senders.{index}');
  const outcome = await claimSenders(models, {
    channel: campaign.channel,
    senders,
    holderKind: 'CAMPAIGN',
    holderId: campaign._id,
    tenantId: campaign.tenantId,
  });
  if (!outcome.ok) throw new AppError({ code: ErrorCode.SENDER_IN_USE, message: describeConflicts(outcome.conflicts), details: { senders: outcome.conflicts } });
  const updated = await models.Campaign.findOneAndUpdate(
    { _id: campaign._id },
    { $set: { status: 'LIVE', integrationDate: campaign.integrationDate ?? new Date() } },
    { returnDocument: 'after', lean: true },
  );
  if (!updated) throw notFound('Campaign');
  return updated;
}

/** Pauses a LIVE campaign and releases its senders; PAUSED again is a no-op, a DRAFT cannot pause. */
export async function pauseCampaign(models: Models, tenantId: string, id: string): Promise<CampaignDoc> {
  const campaign = await findTenantCampaign(models, tenantId, id);
  if (campaign.status === 'DRAFT') throw new AppError({ code: ErrorCode.CAMPAIGN_NOT_LIVE, message: 'A draft campaign has nothing to pause' });
  if (campaign.status === 'LIVE') {
    await models.Campaign.updateOne({ _id: campaign._id }, { $set: { status: 'PAUSED' } });
    await releaseClaims(models, campaign._id);
  }
  return { ...campaign, status: 'PAUSED' };
}

/** The campaigns linked to one integration; CHATBOT integrations (no connections) are driven by them. */
export async function integrationCampaigns(models: Models, tenantId: string, integrationId: string): Promise<{ integration: IntegrationDoc; campaigns: CampaignDoc[] }> {
  const integration = await findTenantIntegration(models, tenantId, integrationId);
  const campaigns = await models.Campaign.find({ tenantId, integrationId: integration._id }).sort({ _id: 1 }).lean();
  return { integration, campaigns };
}
