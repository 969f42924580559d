import { z } from 'zod';
import type { CampaignDoc } from '../../db/campaigns.js';
import {
  createCampaign,
  findTenantCampaign,
  goLive,
  integrationCampaigns,
  listCampaigns,
  pauseCampaign,
  type CampaignDeps,
} from '../../services/campaigns.js';
import { tenantIdOf } from '../auth.js';
import {
  CampaignListSchema,
  CampaignSchema,
  IntegrationCampaignsSchema,
  presentPage,
  type Campaign,
  type IntegrationCampaigns,
} from '../response-schemas.js';
import { ErrorCode } from '../../domain/error-catalogue.js';
import { quotaExceeded } from '../quota-replies.js';
import { errorReply, json, type ApiRoutes } from '../route.js';
import { CampaignCreateSchema, ListQuerySchema } from '../../domain/request-schemas.js';
import { IntegrationParams, integrationNotFound } from './integrations-router.js';

const TAG = 'Campaigns';
const CampaignParams = z.object({ id: z.string().describe('the campaign id') });
const campaignNotFound = errorReply(ErrorCode.NOT_FOUND, 'unknown id');

export const presentCampaign = (doc: CampaignDoc) =>
  ({
    id: doc._id.toHexString(),
    name: doc.name,
    integrationId: doc.integrationId.toHexString(),
    channel: doc.channel,
    senders: doc.senders,
    status: doc.status,
    integrationDate: doc.integrationDate?.toISOString() ?? null,
    createdAt: doc.createdAt.toISOString(),
  }) satisfies Campaign;

export function campaignsRoutes(api: ApiRoutes, deps: CampaignDeps): void {
  api.route(
    {
      method: 'post',
      path: '/v1/campaigns',
      tag: TAG,
      summary: 'Link a Chatbot campaign to an active integration with no connections',
      auth: 'tenantKey',
      body: CampaignCreateSchema,
      responses: { 201: json(CampaignSchema, 'created, DRAFT') },
      errors: [
        errorReply(ErrorCode.NOT_FOUND, 'unknown integration'),
        errorReply(ErrorCode.INTEGRATION_INACTIVE, 'start the integration first'),
        errorReply(ErrorCode.INTEGRATION_HAS_CONNECTIONS, 'only an integration with no connections can be linked'),
        errorReply(ErrorCode.UNKNOWN_SENDER, "not a sender of the tenant's own connections on that channel"),
        quotaExceeded('campaigns'),
      ],
    },
    async ({ body, req, res }) => {
      res.status(201).json(presentCampaign(await createCampaign(deps, { tenantId: tenantIdOf(req), input: body })));
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/campaigns',
      tag: TAG,
      summary: 'List campaigns',
      auth: 'tenantKey',
      query: ListQuerySchema,
      responses: { 200: json(CampaignListSchema, 'a page') },
    },
    async ({ query, req, res }) => {
      res.json(presentPage(await listCampaigns(deps, { tenantId: tenantIdOf(req), query }), presentCampaign));
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/campaigns/:id',
      tag: TAG,
      summary: 'One campaign',
      auth: 'tenantKey',
      params: CampaignParams,
      responses: { 200: json(CampaignSchema, 'the campaign') },
      errors: [campaignNotFound],
    },
    async ({ params, req, res }) => {
      res.json(presentCampaign(await findTenantCampaign(deps, { tenantId: tenantIdOf(req), id: params.id })));
    },
  );

  // Going LIVE and pausing are the campaign's two transitions: the same shape, each with its own rule.
  const transitions = [
    {
      action: 'live',
      summary: 'Go LIVE (claims the senders)',
      refusals: [
        errorReply(ErrorCode.SENDER_IN_USE),
        errorReply(ErrorCode.INTEGRATION_INACTIVE),
        errorReply(ErrorCode.UNKNOWN_SENDER, "a sender is no longer one of the tenant's own connections' senders"),
      ],
      reached: 'LIVE',
      run: goLive,
    },
    {
      action: 'pause',
      summary: 'Pause (releases the senders)',
      reached: 'PAUSED',
      refusals: [errorReply(ErrorCode.CAMPAIGN_NOT_LIVE, 'a draft has nothing to pause')],
      run: pauseCampaign,
    },
  ] as const;
  for (const { action, summary, reached, refusals, run } of transitions) {
    api.route(
      {
        method: 'post',
        path: `/v1/campaigns/:id/${action}`,
        tag: TAG,
        summary,
        auth: 'tenantKey',
        params: CampaignParams,
        responses: { 200: json(CampaignSchema, reached) },
        errors: [campaignNotFound, ...refusals],
      },
      async ({ params, req, res }) => {
        res.json(presentCampaign(await run(deps, { tenantId: tenantIdOf(req), id: params.id })));
      },
    );
  }

  api.route(
    {
      method: 'get',
      path: '/v1/integrations/:id/campaigns',
      tag: TAG,
      summary: 'Campaigns linked to an integration',
      auth: 'tenantKey',
      params: IntegrationParams,
      responses: { 200: json(IntegrationCampaignsSchema, 'the campaigns') },
      errors: [integrationNotFound],
    },
    async ({ params, req, res }) => {
      const { integration, campaigns } = await integrationCampaigns(deps, {
        tenantId: tenantIdOf(req),
        integrationId: params.id,
      });
      res.json({
        integrationId: integration._id.toHexString(),
        integrationType: integration.connections.length === 0 ? 'CHATBOT' : 'CONNECTIONS',
        items: campaigns.map((campaign) => ({
          campaignId: campaign._id.toHexString(),
          name: campaign.name,
          integrationDate: campaign.integrationDate?.toISOString() ?? null,
          status: campaign.status,
        })),
        nextCursor: null,
      } satisfies IntegrationCampaigns);
    },
  );
}
