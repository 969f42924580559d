/**
 * The OpenAPI 3.1 document of the public API. Request bodies and queries come from the very
 * schemas the routers validate with (`./schemas.ts`, `../domain/*`); the response shapes are
 * declared here, once, and the console derives its types from them (`z.output`), so the
 * server, the reference at /docs and the console cannot drift apart silently.
 *
 * Pure (zod and domain modules only): the console imports its types from this file.
 */
import { z } from 'zod';
import { MT_RESPONSES, MtEventSchema } from '../domain/mt-event.js';
import { ChannelSchema, ChatEventTypeSchema, FieldSchema, HttpMethodSchema } from '../domain/webhook-template.js';
import {
  CampaignCreateSchema,
  CarrierInboundSchema,
  ChatListQuerySchema,
  ConnectionCreateSchema,
  DeliveryListQuerySchema,
  FeatureSchema,
  IntegrationInputSchema,
  ListQuerySchema,
  MASKED_SECRET,
  ReservationCreateSchema,
  TenantCreateSchema,
  TryOutSchema,
} from './schemas.js';

const timestamp = z.iso.datetime();
const id = z.string().describe('24 hex characters');

export const FieldProblemSchema = z.object({ path: z.string(), message: z.string() });
export const ErrorBodySchema = z.object({
  error: z.looseObject({
    code: z.string().describe('UPPER_SNAKE error code'),
    message: z.string(),
    fields: z.array(FieldProblemSchema).optional().describe('VALIDATION_ERROR: each bad field, by path'),
  }),
});
export type ErrorBody = z.output<typeof ErrorBodySchema>;

const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const MaskedAuthSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('NONE') }),
  z.object({ type: z.literal('API_KEY'), key: z.string(), value: z.literal(MASKED_SECRET), in: z.enum(['header', 'query']) }),
  z.object({ type: z.literal('BASIC'), username: z.string(), password: z.literal(MASKED_SECRET) }),
  z.object({ type: z.literal('BEARER'), token: z.literal(MASKED_SECRET) }),
]);

export const IntegrationStatusSchema = z.enum(['INACTIVE', 'ACTIVE']);
export const IntegrationSchema = z.object({
  id,
  alias: z.string(),
  method: HttpMethodSchema,
  url: z.string(),
  params: z.array(FieldSchema),
  auth: MaskedAuthSchema.describe(`secrets are never echoed: they read ${MASKED_SECRET}`),
  headers: z.array(FieldSchema),
  body: z.array(FieldSchema),
  connections: z.array(z.object({ code: z.string() })),
  status: IntegrationStatusSchema,
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type Integration = z.output<typeof IntegrationSchema>;

export const IntegrationCreatedSchema = IntegrationSchema.extend({
  responseToken: z.string().describe('shown in clear only in this answer (API Details shows it to the owner)'),
  signingSecret: z.string().describe('whsec_…: verifies the webhook-signature header; shown only in this answer'),
});

export const ConnectionSchema = z.object({
  id: z.string(),
  code: z.string(),
  channel: ChannelSchema,
  senders: z.array(z.string()),
  carrier: z.discriminatedUnion('type', [
    z.object({ type: z.literal('http'), url: z.string(), secretSet: z.boolean() }),
    z.object({ type: z.literal('sandbox') }),
  ]),
  label: z.string().describe('"SMS - <code>" / "WHATSAPP - <code>", as the Available Connections menu shows it'),
  createdAt: timestamp,
});
export type Connection = z.output<typeof ConnectionSchema>;

export const ReservationSchema = z.object({
  id,
  channel: ChannelSchema,
  sender: z.string(),
  feature: FeatureSchema,
  label: z.string().nullable(),
  createdAt: timestamp,
});

const ProblemSchema = z.object({ code: z.string(), message: z.string() });
export const ActivatedConnectionSchema = z.object({
  code: z.string(),
  status: z.enum(['ACTIVE', 'FAILED']),
  error: ProblemSchema.optional(),
});
export const ActivationSchema = z.object({
  status: z.literal('ACTIVE'),
  partial: z.boolean(),
  message: z.string().optional().describe('"Not all connections were activated" when partial'),
  connections: z.array(ActivatedConnectionSchema),
});
export type Activation = z.output<typeof ActivationSchema>;
export const ActivationFailedSchema = ErrorBodySchema.extend({
  status: z.literal('INACTIVE'),
  connections: z.array(ActivatedConnectionSchema),
});
export type ActivationFailed = z.output<typeof ActivationFailedSchema>;

export const LinkedCampaignSchema = z.object({ id, name: z.string() });
export const LinkedToLiveCampaignsSchema = z.object({
  error: z.object({ code: z.literal('LINKED_TO_LIVE_CAMPAIGNS'), message: z.string(), campaigns: z.array(LinkedCampaignSchema) }),
});

export const ConnectionDetailSchema = z.object({
  code: z.string(),
  channel: ChannelSchema.nullable(),
  senders: z.array(z.string()),
  label: z.string(),
  status: z.enum(['ACTIVE', 'FAILED', 'INACTIVE']),
  error: ProblemSchema.nullable(),
  updatedAt: timestamp.nullable(),
});
export const ConnectionsDetailsSchema = z.object({ integrationId: id, status: IntegrationStatusSchema, items: z.array(ConnectionDetailSchema) });
export type ConnectionsDetails = z.output<typeof ConnectionsDetailsSchema>;

export const ApiDetailsSchema = z.object({
  endpoint: z.object({ method: z.literal('POST'), url: z.string() }),
  headers: z.array(z.object({ name: z.string(), value: z.string().nullable(), required: z.boolean(), description: z.string().optional() })),
  parameters: z.array(z.object({ name: z.string(), in: z.string(), required: z.boolean(), description: z.string() })),
  bodySchemas: z.record(z.string(), z.unknown()).describe('JSON Schemas of the SMS, WhatsApp and END bodies'),
  examples: z.record(z.string(), z.unknown()),
  responses: z.array(z.object({ status: z.number().int(), code: z.string().nullable(), meaning: z.string() })),
});
export type ApiDetails = z.output<typeof ApiDetailsSchema>;

export const TryOutResultSchema = z.object({ curl: z.string(), url: z.string(), body: MtEventSchema });
export type TryOutResult = z.output<typeof TryOutResultSchema>;

export const CampaignStatusSchema = z.enum(['DRAFT', 'LIVE', 'PAUSED']);
export const CampaignSchema = z.object({
  id,
  name: z.string(),
  integrationId: id,
  channel: ChannelSchema,
  senders: z.array(z.string()),
  status: CampaignStatusSchema,
  integrationDate: timestamp.nullable(),
  createdAt: timestamp,
});
export const IntegrationCampaignsSchema = z.object({
  integrationId: id,
  integrationType: z.enum(['CHATBOT', 'CONNECTIONS']).describe('CHATBOT: no connections, driven by linked campaigns'),
  items: z.array(z.object({ campaignId: id, name: z.string(), integrationDate: timestamp.nullable(), status: CampaignStatusSchema })),
  nextCursor: z.null(),
});
export type IntegrationCampaigns = z.output<typeof IntegrationCampaignsSchema>;

export const DeliveryStatusSchema = z.enum(['PENDING', 'SUCCEEDED', 'FAILED']);
export const DeliverySchema = z.object({
  id: z.string().describe('the webhook-id header sent'),
  chatId: z.string(),
  contact: z.string(),
  event: ChatEventTypeSchema,
  status: DeliveryStatusSchema,
  createdAt: timestamp,
  lastError: z.string().nullable(),
  attempts: z.array(z.object({ at: timestamp, statusCode: z.number().int().nullable(), error: z.string().nullable(), durationMs: z.number() })),
});
export type Delivery = z.output<typeof DeliverySchema>;
export const ReplaySchema = DeliverySchema.extend({ replayId: z.string() });

export const ChatSchema = z.object({
  chatId: z.string(),
  contact: z.string(),
  channel: ChannelSchema,
  connection: z.string(),
  sender: z.string(),
  status: z.enum(['OPEN', 'CLOSED']),
  openedAt: timestamp,
  lastInboundAt: timestamp,
  windowExpiresAt: timestamp.nullable(),
  closedAt: timestamp.nullable(),
});
export type Chat = z.output<typeof ChatSchema>;

export const SandboxMessageSchema = z.object({
  id: z.string(),
  connection: z.string(),
  channel: ChannelSchema,
  from: z.string(),
  to: z.string(),
  text: z.string(),
  at: timestamp,
});

/** `POST /v1/preview`: an integration as the editor holds it, plus the sample message to render. */
export const PreviewSampleSchema = z.strictObject({
  event: ChatEventTypeSchema.default('MESSAGE'),
  contact: z.string().max(15).default('5491100000001'),
  text: z.string().max(4096).default('Hello, I need help with my order'),
  channel: ChannelSchema.default('SMS'),
  sender: z.string().max(15).default('141518'),
});
export const PreviewInputSchema = IntegrationInputSchema.extend({ sample: PreviewSampleSchema.optional() });
export type PreviewInput = z.input<typeof PreviewInputSchema>;
export const PreviewSchema = z.object({
  request: z.object({ method: HttpMethodSchema, url: z.string(), headers: z.record(z.string(), z.string()), body: z.string().nullable() }),
  signingHeaders: z.array(z.string()).describe('added to every real delivery, computed at send time'),
  secretsMasked: z.literal(true).describe(`auth secrets render as ${MASKED_SECRET}: a preview never echoes them`),
});
export type Preview = z.output<typeof PreviewSchema>;

export const IntegrationListSchema = page(IntegrationSchema);
export const ConnectionListSchema = page(ConnectionSchema);
export type IntegrationList = z.output<typeof IntegrationListSchema>;
export type ConnectionList = z.output<typeof ConnectionListSchema>;
export const DeliveryListSchema = page(DeliverySchema);
export type DeliveryList = z.output<typeof DeliveryListSchema>;
export const ChatListSchema = page(ChatSchema);
export type ChatList = z.output<typeof ChatListSchema>;

/* ---------------------------------------------------------------- the document ---- */

type Auth = 'tenantKey' | 'rootKey' | 'responseToken' | 'carrierSecret' | 'none';
interface Reply {
  description: string;
  schema?: z.ZodType;
  /** A non-JSON body (metrics text, HTML). */
  contentType?: string;
}
interface Operation {
  method: 'get' | 'post' | 'put' | 'delete';
  /** Express notation (`:id`): the same strings the routers register. */
  path: string;
  tag: string;
  summary: string;
  auth: Auth;
  body?: z.ZodType;
  query?: z.ZodObject;
  pathDescriptions?: Record<string, string>;
  responses: Record<number, Reply>;
}

const json = (schema: z.ZodType, description: string): Reply => ({ schema, description });
const problem = (description: string): Reply => ({ schema: ErrorBodySchema, description });
const COMMON: Record<number, Reply> = {
  400: problem('VALIDATION_ERROR (each bad field by path) or INVALID_JSON'),
  401: problem('missing or unknown API key'),
};
const withId = { id: 'the integration id' };

export const OPERATIONS: readonly Operation[] = [
  { method: 'get', path: '/healthz', tag: 'Operations', summary: 'Process up', auth: 'none', responses: { 200: json(z.object({ status: z.literal('ok') }), 'up') } },
  {
    method: 'get',
    path: '/readyz',
    tag: 'Operations',
    summary: 'MongoDB and Temporal reachable',
    auth: 'none',
    responses: { 200: json(z.looseObject({ status: z.string() }), 'ready'), 503: json(z.looseObject({ status: z.string() }), 'not ready') },
  },
  { method: 'get', path: '/metrics', tag: 'Operations', summary: 'Prometheus metrics', auth: 'none', responses: { 200: { description: 'Prometheus text format', contentType: 'text/plain' } } },
  { method: 'get', path: '/openapi.json', tag: 'Operations', summary: 'This document', auth: 'none', responses: { 200: json(z.looseObject({ openapi: z.string() }), 'OpenAPI 3.1') } },
  {
    method: 'post',
    path: '/v1/tenants',
    tag: 'Tenants',
    summary: 'Create a tenant (root key); the API key is shown once',
    auth: 'rootKey',
    body: TenantCreateSchema,
    responses: { 201: json(z.object({ id, name: z.string(), apiKey: z.string() }), 'created'), ...COMMON, 403: problem('no root key configured') },
  },
  {
    method: 'post',
    path: '/v1/connections',
    tag: 'Connections',
    summary: 'Create a connection',
    auth: 'tenantKey',
    body: ConnectionCreateSchema,
    responses: { 201: json(ConnectionSchema, 'created'), ...COMMON, 409: problem('CONNECTION_CODE_TAKEN') },
  },
  { method: 'get', path: '/v1/connections', tag: 'Connections', summary: 'Available Connections', auth: 'tenantKey', query: ListQuerySchema, responses: { 200: json(ConnectionListSchema, 'a page'), ...COMMON } },
  { method: 'get', path: '/v1/connections/:code', tag: 'Connections', summary: 'One connection', auth: 'tenantKey', responses: { 200: json(ConnectionSchema, 'the connection'), 401: COMMON[401]!, 404: problem('unknown code') } },
  {
    method: 'delete',
    path: '/v1/connections/:code',
    tag: 'Connections',
    summary: 'Delete a connection',
    auth: 'tenantKey',
    responses: { 204: { description: 'deleted' }, 401: COMMON[401]!, 404: problem('unknown code'), 409: problem('CONNECTION_IN_USE: an integration lists it') },
  },
  {
    method: 'post',
    path: '/v1/reservations',
    tag: 'Sender reservations',
    summary: 'Reserve a sender for another platform feature',
    auth: 'tenantKey',
    body: ReservationCreateSchema,
    responses: { 201: json(ReservationSchema, 'created'), ...COMMON },
  },
  { method: 'get', path: '/v1/reservations', tag: 'Sender reservations', summary: 'List reservations', auth: 'tenantKey', query: ListQuerySchema, responses: { 200: json(page(ReservationSchema), 'a page'), ...COMMON } },
  { method: 'get', path: '/v1/reservations/:id', tag: 'Sender reservations', summary: 'One reservation', auth: 'tenantKey', responses: { 200: json(ReservationSchema, 'the reservation'), 404: problem('unknown id') } },
  { method: 'delete', path: '/v1/reservations/:id', tag: 'Sender reservations', summary: 'Delete a reservation', auth: 'tenantKey', responses: { 204: { description: 'deleted' }, 404: problem('unknown id') } },
  {
    method: 'post',
    path: '/v1/integrations',
    tag: 'Integrations',
    summary: 'Create a Custom Webhook integration',
    auth: 'tenantKey',
    body: IntegrationInputSchema,
    responses: { 201: json(IntegrationCreatedSchema, 'created, INACTIVE, with its response token and signing secret'), ...COMMON },
  },
  { method: 'get', path: '/v1/integrations', tag: 'Integrations', summary: 'List integrations', auth: 'tenantKey', query: ListQuerySchema, responses: { 200: json(IntegrationListSchema, 'a page'), ...COMMON } },
  { method: 'get', path: '/v1/integrations/:id', tag: 'Integrations', summary: 'One integration (secrets masked)', auth: 'tenantKey', pathDescriptions: withId, responses: { 200: json(IntegrationSchema, 'the integration'), 404: problem('unknown id') } },
  {
    method: 'put',
    path: '/v1/integrations/:id',
    tag: 'Integrations',
    summary: 'Replace the editable fields (secrets left out or masked keep their value)',
    auth: 'tenantKey',
    pathDescriptions: withId,
    body: IntegrationInputSchema,
    responses: { 200: json(IntegrationSchema, 'updated'), ...COMMON, 404: problem('unknown id'), 409: problem('INTEGRATION_ACTIVE: connections of an active integration cannot change') },
  },
  {
    method: 'delete',
    path: '/v1/integrations/:id',
    tag: 'Integrations',
    summary: 'Delete an inactive integration',
    auth: 'tenantKey',
    pathDescriptions: withId,
    responses: { 204: { description: 'deleted' }, 404: problem('unknown id'), 409: problem('INTEGRATION_ACTIVE') },
  },
  {
    method: 'post',
    path: '/v1/preview',
    tag: 'Integrations',
    summary: 'Render the request the client endpoint would receive for a sample message (the worker\u2019s renderer)',
    auth: 'tenantKey',
    body: PreviewInputSchema,
    responses: { 200: json(PreviewSchema, 'the rendered request'), ...COMMON },
  },
  {
    method: 'post',
    path: '/v1/integrations/:id/start',
    tag: 'Activation',
    summary: 'Start: activate every connection independently',
    auth: 'tenantKey',
    pathDescriptions: withId,
    responses: {
      200: json(ActivationSchema, 'ACTIVE; partial=true with "Not all connections were activated" when some failed'),
      404: problem('unknown id'),
      409: json(ActivationFailedSchema, 'ACTIVATION_FAILED: no connection could be activated; the integration stays INACTIVE'),
      503: problem('ACTIVATION_PENDING: still running; call again'),
    },
  },
  {
    method: 'post',
    path: '/v1/integrations/:id/stop',
    tag: 'Activation',
    summary: 'Stop: release the senders',
    auth: 'tenantKey',
    pathDescriptions: withId,
    responses: {
      200: json(z.object({ status: z.literal('INACTIVE') }), 'stopped (a no-op when already inactive)'),
      404: problem('unknown id'),
      409: json(LinkedToLiveCampaignsSchema, 'LINKED_TO_LIVE_CAMPAIGNS: pause them first'),
    },
  },
  { method: 'get', path: '/v1/integrations/:id/connections', tag: 'Activation', summary: 'Connections Details', auth: 'tenantKey', pathDescriptions: withId, responses: { 200: json(ConnectionsDetailsSchema, 'each connection with its status and error'), 404: problem('unknown id') } },
  { method: 'get', path: '/v1/integrations/:id/api-details', tag: 'API Details', summary: 'The response webhook: URL, headers, body schemas, responses', auth: 'tenantKey', pathDescriptions: withId, responses: { 200: json(ApiDetailsSchema, 'API Details'), 404: problem('unknown id') } },
  {
    method: 'post',
    path: '/v1/integrations/:id/try-out',
    tag: 'API Details',
    summary: 'Build a ready cURL command for the response webhook',
    auth: 'tenantKey',
    pathDescriptions: withId,
    body: TryOutSchema,
    responses: { 200: json(TryOutResultSchema, 'the command'), ...COMMON, 404: problem('unknown id'), 422: problem('UNKNOWN_CONNECTION / UNKNOWN_SENDER') },
  },
  { method: 'post', path: '/v1/integrations/:id/rotate-token', tag: 'API Details', summary: 'New response token; the old one stops working', auth: 'tenantKey', pathDescriptions: withId, responses: { 200: json(z.object({ responseToken: z.string() }), 'the new token'), 404: problem('unknown id') } },
  {
    method: 'post',
    path: '/v1/campaigns',
    tag: 'Campaigns',
    summary: 'Link a Chatbot campaign to an active integration with no connections',
    auth: 'tenantKey',
    body: CampaignCreateSchema,
    responses: { 201: json(CampaignSchema, 'created, DRAFT'), ...COMMON, 409: problem('INTEGRATION_INACTIVE'), 422: problem('INTEGRATION_HAS_CONNECTIONS') },
  },
  { method: 'get', path: '/v1/campaigns', tag: 'Campaigns', summary: 'List campaigns', auth: 'tenantKey', query: ListQuerySchema, responses: { 200: json(page(CampaignSchema), 'a page'), ...COMMON } },
  { method: 'get', path: '/v1/campaigns/:id', tag: 'Campaigns', summary: 'One campaign', auth: 'tenantKey', responses: { 200: json(CampaignSchema, 'the campaign'), 404: problem('unknown id') } },
  { method: 'post', path: '/v1/campaigns/:id/live', tag: 'Campaigns', summary: 'Go LIVE (claims the senders)', auth: 'tenantKey', responses: { 200: json(CampaignSchema, 'LIVE'), 404: problem('unknown id'), 409: problem('SENDER_IN_USE / INTEGRATION_INACTIVE') } },
  { method: 'post', path: '/v1/campaigns/:id/pause', tag: 'Campaigns', summary: 'Pause (releases the senders)', auth: 'tenantKey', responses: { 200: json(CampaignSchema, 'PAUSED'), 404: problem('unknown id'), 409: problem('CAMPAIGN_NOT_LIVE') } },
  { method: 'get', path: '/v1/integrations/:id/campaigns', tag: 'Campaigns', summary: 'Campaigns linked to an integration', auth: 'tenantKey', pathDescriptions: withId, responses: { 200: json(IntegrationCampaignsSchema, 'the campaigns'), 404: problem('unknown id') } },
  {
    method: 'get',
    path: '/v1/integrations/:id/deliveries',
    tag: 'Deliveries and chats',
    summary: 'Delivery log of the client webhook',
    auth: 'tenantKey',
    pathDescriptions: withId,
    query: DeliveryListQuerySchema,
    responses: { 200: json(DeliveryListSchema, 'a page'), ...COMMON, 404: problem('unknown id') },
  },
  {
    method: 'post',
    path: '/v1/integrations/:id/deliveries/:deliveryId/replay',
    tag: 'Deliveries and chats',
    summary: 'Send a recorded delivery again (same webhook-id)',
    auth: 'tenantKey',
    pathDescriptions: { ...withId, deliveryId: 'the delivery id (webhook-id)' },
    responses: { 200: json(ReplaySchema, 'PENDING again'), 404: problem('unknown id') },
  },
  { method: 'get', path: '/v1/integrations/:id/chats', tag: 'Deliveries and chats', summary: 'Chats of an integration', auth: 'tenantKey', pathDescriptions: withId, query: ChatListQuerySchema, responses: { 200: json(ChatListSchema, 'a page'), ...COMMON, 404: problem('unknown id') } },
  {
    method: 'get',
    path: '/v1/integrations/:id/chats/:contact',
    tag: 'Deliveries and chats',
    summary: 'The open chat of a contact, or the last one',
    auth: 'tenantKey',
    pathDescriptions: { ...withId, contact: "the contact's number" },
    responses: { 200: json(ChatSchema, 'the chat'), 404: problem('unknown id or no chat') },
  },
  { method: 'get', path: '/v1/sandbox/messages', tag: 'Deliveries and chats', summary: 'MT messages the sandbox carrier recorded', auth: 'tenantKey', query: ListQuerySchema, responses: { 200: json(page(SandboxMessageSchema), 'a page'), ...COMMON } },
  {
    method: 'post',
    path: '/carriers/:connectionCode/inbound',
    tag: 'Carriers',
    summary: 'Carrier inbound (MO) callback',
    auth: 'carrierSecret',
    body: CarrierInboundSchema,
    responses: {
      202: json(z.object({ chatId: z.string(), duplicate: z.literal(true).optional() }), 'accepted by the chat'),
      400: COMMON[400]!,
      401: problem('missing or wrong carrier secret'),
      404: problem('unknown connection'),
      422: problem('NO_ROUTE: no active integration or live campaign claims the sender'),
    },
  },
  {
    method: 'post',
    path: '/integrations/live-chat/:integrationId/chats/:chatIdentifier/events',
    tag: 'Response webhook',
    summary: 'Post a reply (MT) or END into a chat the contact started',
    auth: 'responseToken',
    body: MtEventSchema,
    pathDescriptions: { integrationId: 'the integration id', chatIdentifier: "the contact's phone number" },
    responses: Object.fromEntries(
      MT_RESPONSES.map(({ status, meaning }) => [status, status === 202 ? json(z.object({ eventId: z.string(), chatId: z.string() }), meaning) : problem(meaning)]),
    ),
  },
];

type JsonSchema = Record<string, unknown>;

function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  // Responses built by hand here have no transforms; `any` only guards the request side.
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

const openApiPath = (path: string) => path.replace(/:([A-Za-z]+)/g, '{$1}');

function operationObject(operation: Operation) {
  const parameters: JsonSchema[] = [...operation.path.matchAll(/:([A-Za-z]+)/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string' },
    ...(operation.pathDescriptions?.[name!] ? { description: operation.pathDescriptions[name!] } : {}),
  }));
  if (operation.query) {
    const query = jsonSchemaOf(operation.query, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, schema] of Object.entries(query.properties ?? {})) {
      parameters.push({ name, in: 'query', required: query.required?.includes(name) ?? false, schema });
    }
  }
  const responses = Object.fromEntries(
    Object.entries(operation.responses).map(([status, reply]) => [
      status,
      {
        description: reply.description,
        ...(reply.schema ? { content: { 'application/json': { schema: jsonSchemaOf(reply.schema, 'output') } } } : {}),
        ...(reply.contentType ? { content: { [reply.contentType]: { schema: { type: 'string' } } } } : {}),
      },
    ]),
  );
  return {
    tags: [operation.tag],
    summary: operation.summary,
    operationId: `${operation.method}${operation.path.replace(/[/:{}.-]+(\w)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
    security: operation.auth === 'none' ? [] : [{ [operation.auth]: [] }],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(operation.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchemaOf(operation.body, 'input') } } } } : {}),
    responses,
  };
}

export function buildOpenApiDocument(options: { version: string; serverUrl?: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of OPERATIONS) {
    (paths[openApiPath(operation.path)] ??= {})[operation.method] = operationObject(operation);
  }
  const bearer = (description: string) => ({ type: 'http', scheme: 'bearer', description });
  return {
    // 3.1's default schema dialect is JSON Schema 2020-12 (what zod emits); Swagger UI warns on any explicit one.
    openapi: '3.1.1',
    info: {
      title: 'chathook',
      version: options.version,
      description:
        'The Custom Webhook integration of an SMS/WhatsApp conversational platform: management API (`/v1`), carrier inbound callbacks and the response webhook. ' +
        'Errors are `{"error":{"code","message",...}}`; lists are `{items, nextCursor}` with `?limit=` (1..500) and `?cursor=`.',
    },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    tags: [...new Set(OPERATIONS.map(({ tag }) => tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        tenantKey: bearer("The tenant's API key"),
        rootKey: bearer("The operator's root key (CHATHOOK_ADMIN_KEY)"),
        responseToken: bearer("The integration's response token"),
        carrierSecret: bearer("The connection's carrier secret, when it has one"),
      },
    },
    security: [{ tenantKey: [] }],
  };
}
