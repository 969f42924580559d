import {
  connectionDetails,
  startIntegration,
  stopIntegration,
  type ActivationDeps,
} from '../../services/activation.js';
import { tenantIdOf } from '../auth.js';
import {
  ActivationFailedSchema,
  ActivationSchema,
  ConnectionsDetailsSchema,
  LinkedToLiveCampaignsSchema,
  StoppedSchema,
  type Activation,
  type ConnectionsDetails,
  type Stopped,
} from '../response-schemas.js';
import { ErrorCode } from '../../domain/error-catalogue.js';
import { errorReply, json, type ApiRoutes } from '../route.js';
import { IntegrationParams, integrationNotFound } from './integrations-router.js';

const TAG = 'Activation';
const temporalUnavailable = errorReply(ErrorCode.TEMPORAL_UNAVAILABLE, 'the workflow service did not answer');

export function integrationLifecycleRoutes(api: ApiRoutes, deps: ActivationDeps): void {
  api.route(
    {
      method: 'post',
      path: '/v1/integrations/:id/start',
      tag: TAG,
      summary: 'Start: activate every connection independently',
      auth: 'tenantKey',
      params: IntegrationParams,
      responses: {
        200: json(ActivationSchema, 'ACTIVE; partial=true with "Not all connections were activated" when some failed'),
      },
      errors: [
        integrationNotFound,
        errorReply(
          ErrorCode.ACTIVATION_FAILED,
          'no connection could be activated; the integration stays INACTIVE',
          ActivationFailedSchema,
        ),
        errorReply(ErrorCode.ACTIVATION_CANCELLED, 'a stop came first', ActivationFailedSchema),
        errorReply(ErrorCode.ACTIVATION_PENDING, 'still running; call again'),
        temporalUnavailable,
      ],
    },
    async ({ params, req, res }) => {
      res.json((await startIntegration(deps, { tenantId: tenantIdOf(req), id: params.id })) satisfies Activation);
    },
  );

  api.route(
    {
      method: 'post',
      path: '/v1/integrations/:id/stop',
      tag: TAG,
      summary: 'Stop: release the senders',
      auth: 'tenantKey',
      params: IntegrationParams,
      responses: { 200: json(StoppedSchema, 'stopped (a no-op when already inactive)') },
      errors: [
        integrationNotFound,
        errorReply(ErrorCode.LINKED_TO_LIVE_CAMPAIGNS, 'pause them first', LinkedToLiveCampaignsSchema),
        errorReply(ErrorCode.ACTIVATION_PENDING, 'the stop is still running; call again'),
        temporalUnavailable,
      ],
    },
    async ({ params, req, res }) => {
      await stopIntegration(deps, { tenantId: tenantIdOf(req), id: params.id });
      res.json({ status: 'INACTIVE' } satisfies Stopped);
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/integrations/:id/connections',
      tag: TAG,
      summary: 'Connections Details',
      auth: 'tenantKey',
      params: IntegrationParams,
      responses: { 200: json(ConnectionsDetailsSchema, 'each connection with its status and error') },
      errors: [integrationNotFound],
    },
    async ({ params, req, res }) => {
      const { integration, items } = await connectionDetails(deps, { tenantId: tenantIdOf(req), id: params.id });
      res.json({
        integrationId: integration._id.toHexString(),
        status: integration.status,
        items: items.map((item) => ({ ...item, updatedAt: item.updatedAt?.toISOString() ?? null })),
      } satisfies ConnectionsDetails);
    },
  );
}
