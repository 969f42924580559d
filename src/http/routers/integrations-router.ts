import { z } from 'zod';
import type { IntegrationDoc } from '../../db/integrations.js';
import {
  createIntegration,
  deleteIntegration,
  findTenantIntegration,
  listIntegrations,
  maskAuth,
  updateIntegration,
  type IntegrationDeps,
} from '../../services/integrations.js';
import { refusePrivateTarget } from '../../services/target-urls.js';
import { tenantIdOf } from '../auth.js';
import { IntegrationCreatedSchema, IntegrationListSchema, IntegrationSchema, presentPage, type Integration, type IntegrationCreated } from '../response-schemas.js';
import { json, problem, type ApiRoutes } from '../route.js';
import { IntegrationCreateSchema, IntegrationInputSchema, ListQuerySchema } from '../../domain/request-schemas.js';

const TAG = 'Integrations';
/** The `:id` of every `/v1/integrations/:id…` route. */
export const IntegrationParams = z.object({ id: z.string().describe('the integration id') });
export const integrationNotFound = problem('NOT_FOUND: unknown id');
/** The rules of an integration that no schema states, shared by create and update. */
const integrationRulesBroken = problem('UNKNOWN_CONNECTION: a connection code that is not yours / BODY_KEY_CONFLICT: body keys that contradict each other');
/** SPEC section 2 names this a 400 although no schema can state it: the size of what a template renders. */
export const TEMPLATE_TOO_LARGE =
  'TEMPLATE_TOO_LARGE: the request this template renders for the largest allowed message (text 4,096, media url 2,048, caption 1,024 characters) would exceed 256 KiB (`fields` names the part that weighs most)';
const createBadRequest = problem(`VALIDATION_ERROR (each bad field by path) or INVALID_JSON / ${TEMPLATE_TOO_LARGE}`);
/** SPEC section 2 names this rule a 400 although it depends on what is stored: a secret stays with its origin. */
const updateBadRequest = problem(
  `VALIDATION_ERROR (each bad field by path) or INVALID_JSON / SECRET_REQUIRED: an auth secret masked or left out while the URL moves to another origin (scheme, host, port), or with none of that type stored / ${TEMPLATE_TOO_LARGE}`,
);

const plainFields = (rows: IntegrationDoc['params']) => rows.map(({ key, type, value }) => ({ key: key ?? '', type: type ?? 'TEXT', value: value ?? '' }));

export function presentIntegration(doc: IntegrationDoc) {
  return {
    id: doc._id.toHexString(),
    alias: doc.alias,
    method: doc.method,
    url: doc.url,
    params: plainFields(doc.params),
    auth: maskAuth(doc.auth),
    headers: plainFields(doc.headers),
    body: plainFields(doc.body),
    connections: doc.connections.map(({ code }) => ({ code: code ?? '' })),
    status: doc.status,
    createdAt: doc.createdAt.toISOString(),
    updatedAt: doc.updatedAt.toISOString(),
  } satisfies Integration;
}

/** `allowPrivateTargets`: WEBHOOK_ALLOW_PRIVATE (a webhook URL on a private address is refused otherwise). */
export function integrationsRoutes(api: ApiRoutes, deps: IntegrationDeps & { allowPrivateTargets: boolean }): void {  api.route(
    {
      method: 'post',
      path: '/v1/integrations',
      tag: TAG,
      summary: 'Create a Custom Webhook integration',
      auth: 'tenantKey',
      body: IntegrationCreateSchema,
      responses: { 201: json(IntegrationCreatedSchema, 'created, INACTIVE, with its response token and signing secret'), 400: createBadRequest, 422: integrationRulesBroken },
    },
    async ({ body, req, res }) => {
      refusePrivateTarget(body.url, 'url', deps.allowPrivateTargets);
      const { integration, responseToken, signingSecret } = await createIntegration(deps, { tenantId: tenantIdOf(req), input: body });
      // The only answer that carries the signing secret and token in clear: the owner stores them now.
      res.status(201).json({ ...presentIntegration(integration), responseToken, signingSecret } satisfies IntegrationCreated);
    },
  );

  api.route(
    { method: 'get', path: '/v1/integrations', tag: TAG, summary: 'List integrations', auth: 'tenantKey', query: ListQuerySchema, responses: { 200: json(IntegrationListSchema, 'a page') } },
    async ({ query, req, res }) => {
      res.json(presentPage(await listIntegrations(deps, { tenantId: tenantIdOf(req), query }), presentIntegration));
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/integrations/:id',
      tag: TAG,
      summary: 'One integration (secrets masked)',
      auth: 'tenantKey',
      params: IntegrationParams,
      responses: { 200: json(IntegrationSchema, 'the integration'), 404: integrationNotFound },
    },
    async ({ params, req, res }) => {
      res.json(presentIntegration(await findTenantIntegration(deps, { tenantId: tenantIdOf(req), id: params.id })));
    },
  );

  api.route(
    {
      method: 'put',
      path: '/v1/integrations/:id',
      tag: TAG,
      summary: 'Replace the editable fields (secrets left out or masked keep their value while the URL keeps its origin; no auth means NONE)',
      auth: 'tenantKey',
      params: IntegrationParams,
      body: IntegrationInputSchema,
      responses: {
        200: json(IntegrationSchema, 'updated'),
        400: updateBadRequest,
        404: integrationNotFound,
        409: problem('INTEGRATION_ACTIVE: connections of an active integration cannot change'),
        422: integrationRulesBroken,
      },
    },
    async ({ params, body, req, res }) => {
      refusePrivateTarget(body.url, 'url', deps.allowPrivateTargets);
      res.json(presentIntegration(await updateIntegration(deps, { tenantId: tenantIdOf(req), id: params.id, input: body })));
    },
  );

  api.route(
    {
      method: 'delete',
      path: '/v1/integrations/:id',
      tag: TAG,
      summary: 'Delete an inactive integration',
      auth: 'tenantKey',
      params: IntegrationParams,
      responses: { 204: { description: 'deleted' }, 404: integrationNotFound, 409: problem('INTEGRATION_ACTIVE') },
    },
    async ({ params, req, res }) => {
      await deleteIntegration(deps, { tenantId: tenantIdOf(req), id: params.id });
      res.status(204).end();
    },
  );
}
