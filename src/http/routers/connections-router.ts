import { z } from 'zod';
import type { ConnectionDoc } from '../../db/connections.js';
import {
  createConnection,
  deleteConnection,
  findTenantConnection,
  listConnections,
  type ConnectionDeps,
  type CreatedConnection,
} from '../../services/connections.js';
import { refusePrivateTarget } from '../../services/target-urls.js';
import { tenantIdOf } from '../auth.js';
import {
  ConnectionCreatedSchema,
  ConnectionListSchema,
  ConnectionSchema,
  presentPage,
  type Connection,
  type ConnectionCreated,
} from '../response-schemas.js';
import { ErrorCode } from '../../domain/error-catalogue.js';
import { quotaExceeded } from '../quota-replies.js';
import { errorReply, json, type ApiRoutes } from '../route.js';
import { ConnectionCreateSchema, ListQuerySchema } from '../../domain/request-schemas.js';

const TAG = 'Connections';
const ConnectionParams = z.object({ code: z.string().describe('the connection code') });
const TenantConnectionParams = z.object({
  tenantId: z.string().describe('the tenant id'),
  code: z.string().describe('the connection code'),
});
const TenantParams = z.object({ tenantId: z.string().describe('the tenant id') });

export function presentConnection(doc: ConnectionDoc) {
  const secretSet = Boolean(doc.carrier?.secretSealed);
  const carrier =
    doc.carrier?.type === 'http'
      ? { type: 'http' as const, url: doc.carrier.url ?? '', secretSet }
      : { type: 'sandbox' as const, secretSet };
  return {
    id: doc.code,
    code: doc.code,
    channel: doc.channel,
    senders: doc.senders,
    carrier,
    label: `${doc.channel} - ${doc.code}`,
    createdAt: doc.createdAt.toISOString(),
  } satisfies Connection;
}

const presentCreated = (created: CreatedConnection) =>
  ({ ...presentConnection(created.connection), carrierSecret: created.carrierSecret }) satisfies ConnectionCreated;

const codeTaken = errorReply(ErrorCode.CONNECTION_CODE_TAKEN, 'the code is used on the platform');
const adminDisabled = errorReply(ErrorCode.ADMIN_DISABLED, 'no root key configured');
const inUse = errorReply(ErrorCode.CONNECTION_IN_USE, 'an integration lists it');

/** `allowPrivateTargets`: WEBHOOK_ALLOW_PRIVATE (a carrier URL on a private address is refused otherwise). */
export function connectionsRoutes(api: ApiRoutes, deps: ConnectionDeps & { allowPrivateTargets: boolean }): void {
  api.route(
    {
      method: 'post',
      path: '/v1/connections',
      tag: TAG,
      summary: 'Create a sandbox connection',
      description:
        'Tenants create `sandbox` connections; an `http` connection is provisioned by the operator (`POST /v1/tenants/{tenantId}/connections`).',
      auth: 'tenantKey',
      body: ConnectionCreateSchema,
      responses: { 201: json(ConnectionCreatedSchema, 'created; `carrierSecret` is shown only here') },
      errors: [
        errorReply(ErrorCode.OPERATOR_ONLY, 'an http connection is provisioned by the operator'),
        codeTaken,
        quotaExceeded('connections or sendersPerConnection'),
      ],
    },
    async ({ body, req, res }) => {
      res
        .status(201)
        .json(
          presentCreated(await createConnection(deps, { tenantId: tenantIdOf(req), input: body, actor: 'TENANT' })),
        );
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/connections',
      tag: TAG,
      summary: 'Available Connections',
      auth: 'tenantKey',
      query: ListQuerySchema,
      responses: { 200: json(ConnectionListSchema, 'a page') },
    },
    async ({ query, req, res }) => {
      res.json(presentPage(await listConnections(deps, { tenantId: tenantIdOf(req), query }), presentConnection));
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/connections/:code',
      tag: TAG,
      summary: 'One connection',
      auth: 'tenantKey',
      params: ConnectionParams,
      responses: { 200: json(ConnectionSchema, 'the connection') },
      errors: [errorReply(ErrorCode.NOT_FOUND, 'unknown code')],
    },
    async ({ params, req, res }) => {
      res.json(presentConnection(await findTenantConnection(deps, { tenantId: tenantIdOf(req), code: params.code })));
    },
  );

  api.route(
    {
      method: 'delete',
      path: '/v1/connections/:code',
      tag: TAG,
      summary: 'Delete a sandbox connection',
      auth: 'tenantKey',
      params: ConnectionParams,
      responses: { 204: { description: 'deleted' } },
      errors: [
        errorReply(ErrorCode.OPERATOR_ONLY, 'an http connection is removed by the operator'),
        errorReply(ErrorCode.NOT_FOUND, 'unknown code'),
        inUse,
      ],
    },
    async ({ params, req, res }) => {
      await deleteConnection(deps, { tenantId: tenantIdOf(req), code: params.code, actor: 'TENANT' });
      res.status(204).end();
    },
  );

  api.route(
    {
      method: 'post',
      path: '/v1/tenants/:tenantId/connections',
      tag: TAG,
      summary: 'Provision a connection for a tenant (root key)',
      description:
        'The operator provisions carrier accounts (`http`) and their real senders; a real (channel, sender) belongs to one tenant.',
      auth: 'rootKey',
      params: TenantParams,
      body: ConnectionCreateSchema,
      responses: { 201: json(ConnectionCreatedSchema, 'created; `carrierSecret` is shown only here') },
      errors: [
        adminDisabled,
        errorReply(ErrorCode.NOT_FOUND, 'unknown tenant'),
        codeTaken,
        errorReply(ErrorCode.SENDER_TAKEN, 'an http connection of another tenant lists one of the senders'),
        quotaExceeded('connections or sendersPerConnection'),
      ],
    },
    async ({ params, body, res }) => {
      if (body.carrier.type === 'http') refusePrivateTarget(body.carrier.url, 'carrier.url', deps.allowPrivateTargets);
      res
        .status(201)
        .json(
          presentCreated(await createConnection(deps, { tenantId: params.tenantId, input: body, actor: 'OPERATOR' })),
        );
    },
  );

  api.route(
    {
      method: 'delete',
      path: '/v1/tenants/:tenantId/connections/:code',
      tag: TAG,
      summary: "Remove a tenant's connection (root key)",
      auth: 'rootKey',
      params: TenantConnectionParams,
      responses: { 204: { description: 'deleted; its senders are free for any tenant' } },
      errors: [adminDisabled, errorReply(ErrorCode.NOT_FOUND, 'unknown tenant or code'), inUse],
    },
    async ({ params, res }) => {
      await deleteConnection(deps, { tenantId: params.tenantId, code: params.code, actor: 'OPERATOR' });
      res.status(204).end();
    },
  );
}
