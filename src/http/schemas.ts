import { z } from 'zod';
import { ChannelSchema, FieldSchema, HttpMethodSchema } from '../domain/webhook-template.js';

/**
 * One schema per payload: request validation, the inferred handler types and (later) the
 * OpenAPI document all come from here.
 */

export const MASKED_SECRET = '********';

const SMS_SENDER = /^(?:\d{1,15}|(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{1,11})$/;
const WHATSAPP_SENDER = /^\d{7,15}$/;

export const SenderSchema = z.string().trim().min(1).max(15);

/** Senders by channel (SMS: short/long code or alphanumeric id; WhatsApp: the WABA number), no repeats. */
function checkSenders(channel: 'SMS' | 'WHATSAPP', senders: readonly string[], ctx: z.RefinementCtx): void {
  const pattern = channel === 'SMS' ? SMS_SENDER : WHATSAPP_SENDER;
  const seen = new Set<string>();
  senders.forEach((sender, index) => {
    if (!pattern.test(sender)) {
      ctx.addIssue({
        code: 'custom',
        path: ['senders', index],
        message:
          channel === 'SMS'
            ? 'an SMS sender is a short code (1–6 digits), a long code or virtual number (7–15 digits) or an alphanumeric id (up to 11 characters)'
            : 'a WhatsApp sender is the WABA phone number: 7–15 digits, no "+"',
      });
    }
    if (seen.has(sender)) ctx.addIssue({ code: 'custom', path: ['senders', index], message: `sender ${sender} is listed twice` });
    seen.add(sender);
  });
}

export const TenantCreateSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
});

const CarrierSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('http'),
    url: z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' }).max(2048),
    secret: z.string().min(1).max(512).optional(),
  }),
  z.strictObject({ type: z.literal('sandbox') }),
]);

export const ConnectionCreateSchema = z
  .strictObject({
    code: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'letters, digits, "_" and "-", at most 64 characters'),
    channel: ChannelSchema,
    senders: z.array(SenderSchema).min(1).max(100),
    carrier: CarrierSchema,
  })
  .superRefine((connection, ctx) => checkSenders(connection.channel, connection.senders, ctx));
export type ConnectionCreate = z.infer<typeof ConnectionCreateSchema>;

export const FeatureSchema = z.enum(['AUTO_REPLY', 'KEYWORD_CAMPAIGN']);
export const ReservationCreateSchema = z.strictObject({
  channel: ChannelSchema,
  sender: SenderSchema,
  feature: FeatureSchema,
  label: z.string().trim().max(200).optional(),
});
export type ReservationCreate = z.infer<typeof ReservationCreateSchema>;

const secret = z.string().min(1).max(4096);
/**
 * Secrets are optional here because a PUT may leave them out (or send back the mask) to keep
 * the stored value; whether one is required is decided against the stored integration.
 */
export const AuthInputSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('NONE') }),
  z.strictObject({
    type: z.literal('API_KEY'),
    key: z.string().trim().min(1).max(200),
    value: secret.optional(),
    in: z.enum(['header', 'query']).default('header'),
  }),
  z.strictObject({ type: z.literal('BASIC'), username: z.string().min(1).max(200), password: secret.optional() }),
  z.strictObject({ type: z.literal('BEARER'), token: secret.optional() }),
]);
export type AuthInput = z.infer<typeof AuthInputSchema>;

export const IntegrationInputSchema = z.strictObject({
  alias: z.string().trim().min(1).max(100),
  method: HttpMethodSchema,
  url: z.string().trim().min(1).max(2048),
  params: z.array(FieldSchema).max(50).default([]),
  auth: AuthInputSchema.default({ type: 'NONE' }),
  headers: z.array(FieldSchema).max(50).default([]),
  body: z.array(FieldSchema).max(200).optional(),
  connections: z
    .array(z.strictObject({ code: z.string().min(1).max(64) }))
    .max(100)
    .default([])
    .superRefine((connections, ctx) => {
      const seen = new Set<string>();
      connections.forEach(({ code }, index) => {
        if (seen.has(code)) ctx.addIssue({ code: 'custom', path: [index, 'code'], message: `connection ${code} is listed twice` });
        seen.add(code);
      });
    }),
});
export type IntegrationInput = z.infer<typeof IntegrationInputSchema>;

export const ListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z
    .string()
    .regex(/^[0-9a-f]{24}$/, 'not a cursor returned by this list')
    .optional(),
});
export type ListQuery = z.infer<typeof ListQuerySchema>;

export const CampaignCreateSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(100),
    integrationId: z.string().min(1).max(64),
    channel: ChannelSchema,
    senders: z.array(SenderSchema).min(1).max(100),
  })
  .superRefine((campaign, ctx) => checkSenders(campaign.channel, campaign.senders, ctx));
export type CampaignCreate = z.infer<typeof CampaignCreateSchema>;

export const TryOutSchema = z.strictObject({
  contact: z
    .string()
    .trim()
    .regex(/^\d{5,15}$/, "the contact's phone number: 5–15 digits, no +"),
  connection: z.string().min(1).max(64),
  sender: SenderSchema.optional(),
  type: z.literal('MESSAGE').default('MESSAGE'),
  msg: z.string().min(1).max(4096),
});
export type TryOut = z.infer<typeof TryOutSchema>;

/** A carrier's inbound (MO) callback (SPEC section 3). */
export const CarrierInboundSchema = z.strictObject({
  messageId: z.string().trim().min(1).max(200),
  from: z
    .string()
    .trim()
    .regex(/^\+?\d{5,15}$/, "the contact's phone number")
    .transform((from) => from.replace(/^\+/, '')),
  to: SenderSchema,
  text: z.string().max(65_536).optional(),
  media: z.strictObject({ url: z.url({ protocol: /^https?$/ }).max(2048), caption: z.string().max(4096).optional() }).optional(),
  timestamp: z.iso.datetime({ offset: true }).optional(),
});
export type CarrierInbound = z.infer<typeof CarrierInboundSchema>;

export const DeliveryListQuerySchema = ListQuerySchema.extend({
  chatId: z.string().max(100).optional(),
  status: z.enum(['PENDING', 'SUCCEEDED', 'FAILED']).optional(),
  event: z.enum(['MESSAGE', 'END']).optional(),
});

export const ChatListQuerySchema = ListQuerySchema.extend({
  status: z.enum(['OPEN', 'CLOSED']).optional(),
});
