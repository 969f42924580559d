import { Router } from 'express';
import type { CampaignDoc, Models } from '../../db/models.js';
import { claimSenders, describeConflicts, releaseClaims } from '../../db/sender-claims.js';
import { AppError, conflict, notFound } from '../../services/errors.js';
import { tenantIdOf } from '../auth.js';
import { findIntegration } from './integrations-router.js';
import { listPage, objectIdOrNull } from '../../db/pagination.js';
import { CampaignCreateSchema, ListQuerySchema } from '../schemas.js';
import { parseInput } from '../validation.js';

export const presentCampaign = (doc: CampaignDoc) => ({
  id: doc._id.toHexString(),
  name: doc.name,
  integrationId: doc.integrationId.toHexString(),
  channel: doc.channel,
  senders: doc.senders,
  status: doc.status,
  integrationDate: doc.integrationDate ?? null,
  createdAt: doc.createdAt,
});

/** Chatbot Service campaigns linked to an integration with no connections (SPEC section 2). */
export function campaignsRouter(models: Models): Router {
  const router = Router();
  const findCampaign = async (tenantId: string, id: string) => {
    const doc = await models.Campaign.findOne({ tenantId, _id: objectIdOrNull(id) }).lean();
    if (!doc) throw notFound('Campaign');
    return doc;
  };

  router.post('/v1/campaigns', async (req, res) => {
    const tenantId = tenantIdOf(req);
    const input = parseInput(CampaignCreateSchema, req.body);
    const integration = await findIntegration(models, tenantId, input.integrationId);
    if (integration.connections.length > 0) {
      throw new AppError(422, 'INTEGRATION_HAS_CONNECTIONS', 'Only an integration with no connections can be linked to a Chatbot campaign');
    }
    if (integration.status !== 'ACTIVE') {
      throw conflict('INTEGRATION_INACTIVE', 'Start the integration before linking a campaign to it');
    }
    const doc = await models.Campaign.create({ tenantId, ...input, integrationId: integration._id, status: 'DRAFT' });
    res.status(201).json(presentCampaign(doc.toObject()));
  });

  router.get('/v1/campaigns', async (req, res) => {
    const query = parseInput(ListQuerySchema, req.query);
    res.json(
      await listPage(query, (range, limit) => models.Campaign.find({ tenantId: tenantIdOf(req), ...range }).sort({ _id: 1 }).limit(limit).lean(), presentCampaign),
    );
  });

  router.get('/v1/campaigns/:id', async (req, res) => {
    res.json(presentCampaign(await findCampaign(tenantIdOf(req), req.params.id)));
  });

  router.post('/v1/campaigns/:id/live', async (req, res) => {
    const tenantId = tenantIdOf(req);
    const campaign = await findCampaign(tenantId, req.params.id);
    if (campaign.status === 'LIVE') {
      res.json(presentCampaign(campaign));
      return;
    }
    const integration = await models.Integration.findById(campaign.integrationId, { status: 1 }).lean();
    if (integration?.status !== 'ACTIVE') throw conflict('INTEGRATION_INACTIVE', 'The linked integration is not active');
    const outcome = await claimSenders(models, {
      channel: campaign.channel,
      senders: campaign.senders,
      holderKind: 'CAMPAIGN',
      holderId: campaign._id,
      tenantId: campaign.tenantId,
    });
    if (!outcome.ok) throw conflict('SENDER_IN_USE', describeConflicts(outcome.conflicts), { senders: outcome.conflicts });
    const updated = await models.Campaign.findOneAndUpdate(
      { _id: campaign._id },
      { $set: { status: 'LIVE', integrationDate: campaign.integrationDate ?? new Date() } },
      { returnDocument: 'after', lean: true },
    );
    res.json(presentCampaign(updated!));
  });

  router.post('/v1/campaigns/:id/pause', async (req, res) => {
    const campaign = await findCampaign(tenantIdOf(req), req.params.id);
    if (campaign.status === 'DRAFT') throw conflict('CAMPAIGN_NOT_LIVE', 'A draft campaign has nothing to pause');
    if (campaign.status === 'LIVE') {
      await models.Campaign.updateOne({ _id: campaign._id }, { $set: { status: 'PAUSED' } });
      await releaseClaims(models, campaign._id);
    }
    res.json(presentCampaign({ ...campaign, status: 'PAUSED' }));
  });

  router.get('/v1/integrations/:id/campaigns', async (req, res) => {
    const tenantId = tenantIdOf(req);
    const integration = await findIntegration(models, tenantId, req.params.id);
    const campaigns = await models.Campaign.find({ tenantId, integrationId: integration._id }).sort({ _id: 1 }).lean();
    res.json({
      integrationId: integration._id.toHexString(),
      integrationType: integration.connections.length === 0 ? 'CHATBOT' : 'CONNECTIONS',
      items: campaigns.map((campaign) => ({
        campaignId: campaign._id.toHexString(),
        name: campaign.name,
        integrationDate: campaign.integrationDate ?? null,
        status: campaign.status,
      })),
      nextCursor: null,
    });
  });
  return router;
}
