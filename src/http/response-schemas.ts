/**
 * The response bodies of the public API, as zod schemas. Routers declare them on each route
 * (`route.ts`), so they are published in /openapi.json; presenters are checked against them
 * with `satisfies`; the console derives its types from them (`z.output`).
 *
 * Pure (zod and domain modules only): the console imports this file.
 */
import { z } from 'zod';
import { MtEventSchema } from '../domain/mt-event.js';
import { ChannelSchema, ChatEventTypeSchema, FieldSchema, HttpMethodSchema } from '../domain/webhook-template.js';
import {
  CampaignCreateSchema,
  CarrierInboundSchema,
  ChatListQuerySchema,
  ConnectionCreateSchema,
  DeliveryListQuerySchema,
  FeatureSchema,
  integrationInput,
  ListQuerySchema,
  MASKED_SECRET,
  ReservationCreateSchema,
  TenantCreateSchema,
  TryOutSchema,
} from '../domain/request-schemas.js';

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

export const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

/** A page of a service's list, each item presented. */
export const presentPage = <D, T>(listed: { items: D[]; nextCursor: string | null }, present: (item: D) => T) => ({
  items: listed.items.map(present),
  nextCursor: listed.nextCursor,
});

export const MaskedAuthSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('NONE') }),
  z.object({
    type: z.literal('API_KEY'),
    key: z.string(),
    value: z.literal(MASKED_SECRET),
    in: z.enum(['header', 'query']),
  }),
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
    z.object({
      type: z.literal('http'),
      url: z.string(),
      secretSet: z.boolean().describe('the carrier secret is stored (it is never returned)'),
    }),
    z.object({
      type: z.literal('sandbox'),
      secretSet: z.boolean().describe('the carrier secret is stored (it is never returned)'),
    }),
  ]),
  label: z.string().describe('"SMS - <code>" / "WHATSAPP - <code>", as the Available Connections menu shows it'),
  createdAt: timestamp,
});
export type Connection = z.output<typeof ConnectionSchema>;

export const ConnectionCreatedSchema = ConnectionSchema.extend({
  carrierSecret: z
    .string()
    .describe('the Bearer token every inbound callback of this connection must carry; shown only in this answer'),
});
export type ConnectionCreated = z.output<typeof ConnectionCreatedSchema>;

export const ReservationSchema = z.object({
  id,
  channel: ChannelSchema,
  sender: z.string(),
  feature: FeatureSchema,
  label: z.string().nullable(),
  createdAt: timestamp,
});
export type Reservation = z.output<typeof ReservationSchema>;

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
  error: z.object({
    code: z.literal('LINKED_TO_LIVE_CAMPAIGNS'),
    message: z.string(),
    campaigns: z.array(LinkedCampaignSchema),
  }),
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
export const ConnectionsDetailsSchema = z.object({
  integrationId: id,
  status: IntegrationStatusSchema,
  items: z.array(ConnectionDetailSchema),
});
export type ConnectionsDetails = z.output<typeof ConnectionsDetailsSchema>;

export const ApiDetailsSchema = z.object({
  endpoint: z.object({ method: z.literal('POST'), url: z.string() }),
  headers: z.array(
    z.object({
      name: z.string(),
      value: z.string().nullable(),
      required: z.boolean(),
      description: z.string().optional(),
    }),
  ),
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
  items: z.array(
    z.object({ campaignId: id, name: z.string(), integrationDate: timestamp.nullable(), status: CampaignStatusSchema }),
  ),
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
  attemptCount: z.number().int().describe('every attempt of every series (replays included)'),
  attempts: z
    .array(
      z.object({
        at: timestamp,
        statusCode: z.number().int().nullable(),
        error: z.string().nullable(),
        durationMs: z.number(),
      }),
    )
    .describe('the last 100 attempts, oldest first'),
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
export const PreviewInputSchema = integrationInput({ sample: PreviewSampleSchema.optional() });
export type PreviewInput = z.input<typeof PreviewInputSchema>;
export const PreviewSchema = z.object({
  request: z.object({
    method: HttpMethodSchema,
    url: z.string(),
    headers: z.record(z.string(), z.string()),
    body: z.string().nullable(),
  }),
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

/* Management API: tenants, integrations, activation, campaigns. */
export const TenantCreatedSchema = z.object({
  id,
  name: z.string(),
  apiKey: z.string().describe('shown only in this answer'),
});
export type TenantCreated = z.output<typeof TenantCreatedSchema>;
export const QuotasSchema = z.object({
  integrations: z.number().int(),
  connections: z.number().int(),
  sendersPerConnection: z.number().int(),
  reservations: z.number().int(),
  campaigns: z.number().int(),
  templateBytes: z.number().int(),
});
export type QuotasReply = z.output<typeof QuotasSchema>;
export type IntegrationCreated = z.output<typeof IntegrationCreatedSchema>;
export const StoppedSchema = z.object({ status: z.literal('INACTIVE') });
export type Stopped = z.output<typeof StoppedSchema>;
export const RotatedTokenSchema = z.object({ responseToken: z.string() });
export type RotatedToken = z.output<typeof RotatedTokenSchema>;
export const RotatedSigningSecretSchema = z.object({
  signingSecret: z
    .string()
    .regex(/^whsec_/)
    .describe('whsec_…: shown only in this answer; the previous secret still signs for SIGNING_SECRET_OVERLAP'),
});
export type RotatedSigningSecret = z.output<typeof RotatedSigningSecretSchema>;
export type Campaign = z.output<typeof CampaignSchema>;
export const CampaignListSchema = page(CampaignSchema);

/* Messaging: carriers, response webhook, chats, deliveries, sandbox; operations. */
export const MoAcceptedSchema = z.object({
  chatId: z.string(),
  duplicate: z.literal(true).optional().describe('this messageId was already accepted'),
});
export type MoAccepted = z.output<typeof MoAcceptedSchema>;
export const MtAcceptedSchema = z.object({ eventId: z.string(), chatId: z.string() });
export type MtAccepted = z.output<typeof MtAcceptedSchema>;
export type Replay = z.output<typeof ReplaySchema>;
export type SandboxMessage = z.output<typeof SandboxMessageSchema>;
export const SandboxMessageListSchema = page(SandboxMessageSchema);
export const HealthSchema = z.object({ status: z.literal('ok') });
const CheckSchema = z.object({ ok: z.boolean(), error: z.string().optional() });
export const ReadinessSchema = z.object({
  status: z.enum(['ready', 'not-ready']),
  checks: z.object({ mongodb: CheckSchema, temporal: CheckSchema }),
});
export type Readiness = z.output<typeof ReadinessSchema>;
