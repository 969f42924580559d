import { z } from 'zod';
import type { ConnectionDoc, Models } from '../../db/models.js';
import type { SecretBox } from '../../platform/secrets.js';
import { createConnection, deleteConnection, findTenantConnection, listConnections } from '../../services/connections.js';
import { tenantIdOf } from '../auth.js';
import { ConnectionListSchema, ConnectionSchema, type Connection } from '../response-schemas.js';
import { json, problem, type ApiRoutes } from '../route.js';
import { ConnectionCreateSchema, ListQuerySchema } from '../../domain/request-schemas.js';

const TAG = 'Connections';
const ConnectionParams = z.object({ code: z.string().describe('the connection code') });

export function presentConnection(doc: ConnectionDoc) {
  const carrier =
    doc.carrier?.type === 'http'
      ? { type: 'http' as const, url: doc.carrier.url ?? '', secretSet: Boolean(doc.carrier.secretSealed) }
      : { type: 'sandbox' as const };
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

export function connectionsRoutes(api: ApiRoutes, deps: { models: Models; secretBox: SecretBox }): void {
  const { models, secretBox } = deps;
  api.route(
    {
      method: 'post',
      path: '/v1/connections',
      tag: TAG,
      summary: 'Create a connection',
      auth: 'tenantKey',
      body: ConnectionCreateSchema,
      responses: { 201: json(ConnectionSchema, 'created'), 409: problem('CONNECTION_CODE_TAKEN') },
    },
    async ({ body, req, res }) => {
      res.status(201).json(presentConnection(await createConnection(models, secretBox, tenantIdOf(req), body)));
    },
  );

  api.route(
    { method: 'get', path: '/v1/connections', tag: TAG, summary: 'Available Connections', auth: 'tenantKey', query: ListQuerySchema, responses: { 200: json(ConnectionListSchema, 'a page') } },
    async ({ query, req, res }) => {
      res.json(await listConnections(models, tenantIdOf(req), query, presentConnection));
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
      responses: { 200: json(ConnectionSchema, 'the connection'), 404: problem('NOT_FOUND: unknown code') },
    },
    async ({ params, req, res }) => {
      res.json(presentConnection(await findTenantConnection(models, tenantIdOf(req), params.code)));
    },
  );

  api.route(
    {
      method: 'delete',
      path: '/v1/connections/:code',
      tag: TAG,
      summary: 'Delete a connection',
      auth: 'tenantKey',
      params: ConnectionParams,
      responses: {
        204: { description: 'deleted' },
        404: problem('NOT_FOUND: unknown code'),
        409: problem('CONNECTION_IN_USE: an integration lists it'),
      },
    },
    async ({ params, req, res }) => {
      await deleteConnection(models, tenantIdOf(req), params.code);
      res.status(204).end();
    },
  );
}
