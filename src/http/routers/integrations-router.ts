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
import {
  IntegrationCreatedSchema,
  IntegrationListSchema,
  IntegrationSchema,
  presentPage,
  type Integration,
  type IntegrationCreated,
} from '../response-schemas.js';
import { ErrorCode } from '../../domain/error-catalogue.js';
import { quotaExceeded } from '../quota-replies.js';
import { errorReply, json, type ApiRoutes } from '../route.js';
import { IntegrationCreateSchema, IntegrationInputSchema, ListQuerySchema } from '../../domain/request-schemas.js';

const TAG = 'Integrations';
/** The `:id` of every `/v1/integrations/:id…` route. */
export const IntegrationParams = z.object({ id: z.string().describe('the integration id') });
export const integrationNotFound = errorReply(ErrorCode.NOT_FOUND, 'unknown id');
/** The rules of an integration that no schema states, shared by create and update. */
const integrationRules = [
  errorReply(ErrorCode.UNKNOWN_CONNECTION, 'a connection code that is not yours'),
  errorReply(ErrorCode.BODY_KEY_CONFLICT, 'body keys that contradict each other'),
];
/** The size of what a template renders: no schema can state it. */
export const templateTooLarge = errorReply(
  ErrorCode.TEMPLATE_TOO_LARGE,
  'the request this template renders for the largest allowed message (text 4,096, media url 2,048, caption 1,024 characters) would exceed 256 KiB (`fields` names the part that weighs most)',
);
/** Depends on what is stored, so no schema states it: a secret stays with its origin. */
const secretRequired = errorReply(
  ErrorCode.SECRET_REQUIRED,
  'an auth secret masked or left out while the URL moves to another origin (scheme, host, port), or with none of that type stored',
);

const plainFields = (rows: IntegrationDoc['params']) =>
  rows.map(({ key, type, value }) => ({ key: key ?? '', type: type ?? 'TEXT', value: value ?? '' }));

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
export function integrationsRoutes(api: ApiRoutes, deps: IntegrationDeps & { allowPrivateTargets: boolean }): void {
  api.route(
    {
      method: 'post',
      path: '/v1/integrations',
      tag: TAG,
      summary: 'Create a Custom Webhook integration',
      auth: 'tenantKey',
      body: IntegrationCreateSchema,
      responses: {
        201: json(IntegrationCreatedSchema, 'created, INACTIVE, with its response token and signing secret'),
      },
      errors: [templateTooLarge, ...integrationRules, quotaExceeded('integrations or templateBytes')],
    },
    async ({ body, req, res }) => {
      refusePrivateTarget(body.url, 'url', deps.allowPrivateTargets);
      const { integration, responseToken, signingSecret } = await createIntegration(deps, {
        tenantId: tenantIdOf(req),
        input: body,
      });
      // The only answer that carries the signing secret and token in clear: the owner stores them now.
      res
        .status(201)
        .json({ ...presentIntegration(integration), responseToken, signingSecret } satisfies IntegrationCreated);
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/integrations',
      tag: TAG,
      summary: 'List integrations',
      auth: 'tenantKey',
      query: ListQuerySchema,
      responses: { 200: json(IntegrationListSchema, 'a page') },
    },
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
      responses: { 200: json(IntegrationSchema, 'the integration') },
      errors: [integrationNotFound],
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
      summary:
        'Replace the editable fields (secrets left out or masked keep their value while the URL keeps its origin; no auth means NONE)',
      auth: 'tenantKey',
      params: IntegrationParams,
      body: IntegrationInputSchema,
      responses: { 200: json(IntegrationSchema, 'updated') },
      errors: [
        secretRequired,
        templateTooLarge,
        integrationNotFound,
        errorReply(ErrorCode.INTEGRATION_ACTIVE, 'connections of an active integration cannot change'),
        ...integrationRules,
        quotaExceeded('templateBytes'),
      ],
    },
    async ({ params, body, req, res }) => {
      refusePrivateTarget(body.url, 'url', deps.allowPrivateTargets);
      res.json(
        presentIntegration(await updateIntegration(deps, { tenantId: tenantIdOf(req), id: params.id, input: body })),
      );
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
      responses: { 204: { description: 'deleted' } },
      errors: [integrationNotFound, errorReply(ErrorCode.INTEGRATION_ACTIVE)],
    },
    async ({ params, req, res }) => {
      await deleteIntegration(deps, { tenantId: tenantIdOf(req), id: params.id });
      res.status(204).end();
    },
  );
}
