import { z } from 'zod';
import { MAX_BODY_KEY_DEPTH } from './body-notation.js';
import { RESERVED_HEADER_NAMES } from './render-webhook-request.js';
import {
  ChannelSchema,
  HttpMethodSchema,
  TRIMMED_CHARACTERS,
  everyTime,
  fieldSchema,
  textSchema,
} from './webhook-template.js';

/**
 * One schema per payload: request validation, the inferred handler types and (later) the
 * OpenAPI document all come from here.
 */

export const MASKED_SECRET = '********';

/*
 * Every rule the server applies to a field is a pattern or a bound here, so `/openapi.json`
 * states it (SPEC section 9): a request that passes the published schema is never a `400`.
 * Patterns spell character classes out (`[0-9]`, not `\d`) because the document's readers
 * include regex dialects where `\d` and `\s` mean more than in JavaScript.
 */
const W = TRIMMED_CHARACTERS;

const SMS_SENDER = /^(?:[0-9]{1,15}|(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{1,11})$/;
const WHATSAPP_SENDER = /^[0-9]{7,15}$/;
const SENDER_MESSAGES = {
  SMS: 'an SMS sender is a short code (1–6 digits), a long code or virtual number (7–15 digits) or an alphanumeric id (up to 11 characters)',
  WHATSAPP: 'a WhatsApp sender is the WABA phone number: 7–15 digits, no "+"',
} as const;

/** A sender of either channel (the SMS shapes include the WhatsApp one); the channel's own rule is checked with it. */
export const SenderSchema = z.string().regex(SMS_SENDER, SENDER_MESSAGES.SMS);

/**
 * An absolute http(s) URL without credentials, host a name or an IPv4 address (what the renderer and the delivery
 * accept).
 */
const LABEL = '(?![Xx][Nn]--)[A-Za-z0-9_-]+';
const LAST_LABEL = '(?![Xx][Nn]--)[A-Za-z_-][A-Za-z0-9_-]*';
const IPV4_OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
const PORT = '(?:[0-5]?[0-9]{1,4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])';
const HOST = `(?:(?:${LABEL}\\.)*${LAST_LABEL}\\.?|${IPV4_OCTET}(?:\\.${IPV4_OCTET}){3})`;
const HTTP_URL = new RegExp(`^[${W}]*[Hh][Tt][Tt][Pp][Ss]?://${HOST}(?::${PORT})?(?:[/?#][\\s\\S]*)?[${W}]*$`);
export const HttpUrlSchema = z
  .string()
  .max(2048)
  .trim()
  .regex(HTTP_URL, 'must be an absolute http(s) URL (host name or IPv4 address, no user:pass@)');

/** A URL chathook itself connects to (client webhook, carrier): where the SSRF rule applies. */
const TargetUrlSchema = HttpUrlSchema.meta({
  description:
    'Unless the server runs with WEBHOOK_ALLOW_PRIVATE=true, a host that is a loopback, private, link-local or metadata address written out (or `localhost`) is refused when saved (400 naming the field); names are checked at every connection, after DNS resolution.',
});

export const ConnectionCodeSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'letters, digits, "_" and "-", at most 64 characters');

/**
 * Senders by channel (the WhatsApp shape is narrower than the SMS one), no repeats. Run even when other fields are bad.
 */
function checkSenders(input: unknown, ctx: z.RefinementCtx): void {
  const { channel, senders } = (input ?? {}) as { channel?: unknown; senders?: unknown };
  if (!Array.isArray(senders)) return;
  const seen = new Set<unknown>();
  senders.forEach((sender: unknown, index) => {
    if (
      channel === 'WHATSAPP' &&
      typeof sender === 'string' &&
      SMS_SENDER.test(sender) &&
      !WHATSAPP_SENDER.test(sender)
    ) {
      ctx.addIssue({ code: 'custom', path: ['senders', index], message: SENDER_MESSAGES.WHATSAPP });
    }
    if (seen.has(sender))
      ctx.addIssue({ code: 'custom', path: ['senders', index], message: `sender ${String(sender)} is listed twice` });
    seen.add(sender);
  });
}

/** How `checkSenders` reads in JSON Schema: each channel's sender shape. */
const SENDERS_BY_CHANNEL = {
  oneOf: [
    { properties: { channel: { const: 'SMS' } } },
    { properties: { channel: { const: 'WHATSAPP' }, senders: { items: { pattern: WHATSAPP_SENDER.source } } } },
  ],
};

const SendersSchema = z.array(SenderSchema).min(1).max(100).meta({ uniqueItems: true });

export const TenantCreateSchema = z.strictObject({
  name: textSchema(100),
});

const quotaValue = z.number().int().min(0).max(1_000_000_000);

/** The operator's quota overrides for one tenant (PUT replaces them all); a quota left out takes its QUOTA_* default. */
export const TenantQuotasSchema = z.strictObject({
  integrations: quotaValue.optional().describe('integrations the tenant may hold (QUOTA_INTEGRATIONS)'),
  connections: quotaValue.optional().describe('connections the tenant may hold (QUOTA_CONNECTIONS)'),
  sendersPerConnection: quotaValue
    .optional()
    .describe('senders one connection may list (QUOTA_SENDERS_PER_CONNECTION)'),
  reservations: quotaValue.optional().describe('sender reservations the tenant may hold (QUOTA_RESERVATIONS)'),
  campaigns: quotaValue.optional().describe('campaigns the tenant may hold (QUOTA_CAMPAIGNS)'),
  templateBytes: quotaValue
    .optional()
    .describe("bytes of template rows over all the tenant's integrations (QUOTA_TEMPLATE_BYTES)"),
});
export type TenantQuotasInput = z.output<typeof TenantQuotasSchema>;

const CarrierSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('http'),
    url: TargetUrlSchema,
    /** When given, long enough not to be guessed (16+ characters); without it the connection accepts unsigned callbacks. */
    secret: z.string().min(16, 'a carrier secret has at least 16 characters').max(512).optional(),
  }),
  z.strictObject({ type: z.literal('sandbox') }),
]);

export const ConnectionCreateSchema = z
  .strictObject({
    code: ConnectionCodeSchema,
    channel: ChannelSchema,
    senders: SendersSchema,
    carrier: CarrierSchema,
  })
  .superRefine(checkSenders, everyTime)
  .meta(SENDERS_BY_CHANNEL);
export type ConnectionCreate = z.infer<typeof ConnectionCreateSchema>;

export const FeatureSchema = z.enum(['AUTO_REPLY', 'KEYWORD_CAMPAIGN']);
export const ReservationCreateSchema = z.strictObject({
  channel: ChannelSchema,
  sender: SenderSchema,
  feature: FeatureSchema,
  label: z.string().max(200).trim().optional(),
});
export type ReservationCreate = z.infer<typeof ReservationCreateSchema>;

const secret = z.string().min(1).max(4096);
/** A secret the renderer puts in a header (bearer token, API key value) cannot break the header. */
const headerSecret = secret.regex(/^[^\r\n\x00]*$/, 'must not contain CR, LF or NUL');
/** RFC 9110 `token`, the only valid header names; surrounding blanks are trimmed. */
const HEADER_TOKEN = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+";
/**
 * The API key's name: sent as a header by default, so a header name (also when sent in the query, to keep one rule).
 */
const ApiKeyNameSchema = z
  .string()
  .max(200)
  .trim()
  .regex(new RegExp(`^[${W}]*${HEADER_TOKEN}[${W}]*$`), "an HTTP header name (letters, digits and !#$%&'*+-.^_`|~)");
/**
 * Secrets are optional here because a PUT may leave them out (or send back the mask) to keep
 * the stored value; whether one is required is decided against the stored integration and
 * whether the URL keeps its origin (`422 SECRET_REQUIRED`: a rule on what is stored, not the schema's).
 */
export const AuthInputSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('NONE') }),
  z.strictObject({
    type: z.literal('API_KEY'),
    key: ApiKeyNameSchema,
    value: headerSecret.optional(),
    in: z.enum(['header', 'query']).default('header'),
  }),
  z.strictObject({ type: z.literal('BASIC'), username: z.string().min(1).max(200), password: secret.optional() }),
  z.strictObject({ type: z.literal('BEARER'), token: headerSecret.optional() }),
]);
export type AuthInput = z.infer<typeof AuthInputSchema>;

/** The mask stands for a stored secret; where nothing is stored it is no secret. */
const givenSecret = (schema: z.ZodString) =>
  schema.regex(
    /^(?!\*{8}$)/,
    `${MASKED_SECRET} stands for a stored secret and none is stored yet: give the secret itself`,
  );
/** A new integration has nothing stored to keep: the chosen type's secret is given, in full (a schema rule: `400`). */
const NewAuthInputSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('NONE') }),
  z.strictObject({
    type: z.literal('API_KEY'),
    key: ApiKeyNameSchema,
    value: givenSecret(headerSecret),
    in: z.enum(['header', 'query']).default('header'),
  }),
  z.strictObject({ type: z.literal('BASIC'), username: z.string().min(1).max(200), password: givenSecret(secret) }),
  z.strictObject({ type: z.literal('BEARER'), token: givenSecret(headerSecret) }),
]);

/** RFC 9110 header names, less the ones chathook sets itself; case-insensitive, spelled out for JSON Schema. */
const anyCase = (word: string) => word.replace(/[a-z]/g, (letter) => `[${letter}${letter.toUpperCase()}]`);
const HEADER_KEY = new RegExp(
  `^[${W}]*(?!(?:${[...RESERVED_HEADER_NAMES].map(anyCase).join('|')})[${W}]*$)${HEADER_TOKEN}[${W}]*$`,
);
const HeaderFieldSchema = fieldSchema(
  z
    .string()
    .max(200)
    .trim()
    .regex(HEADER_KEY, `not a valid HTTP header name, or one chathook sets (${[...RESERVED_HEADER_NAMES].join(', ')})`),
  z
    .string()
    .max(4096)
    .regex(/^[\t\x20-\x7e]*$/, 'a header value is printable ASCII (no CR, LF or NUL)'),
);

/**
 * Body key notation (`a.b`, `a[N]`, `a[]` last; indices up to 999; at most 8 levels after the
 * first name; no `__proto__`/`constructor`/`prototype`), as `parseBodyKey` reads it.
 */
const BODY_NAME = `(?!(?:__proto__|constructor|prototype)(?:[.\\[]|[${W}]*$))[^.\\[\\]]+`;
const BODY_LEVEL = `(?:\\.${BODY_NAME}|\\[(?:0|[1-9][0-9]{0,2})\\])`;
const BODY_KEY = new RegExp(
  `^[${W}]*(?![${W}])${BODY_NAME}(?:${BODY_LEVEL}{0,${MAX_BODY_KEY_DEPTH}}|${BODY_LEVEL}{0,${MAX_BODY_KEY_DEPTH - 1}}\\[\\])(?<![${W}])[${W}]*$`,
);
const BodyFieldSchema = fieldSchema(
  z
    .string()
    .max(200)
    .trim()
    .regex(
      BODY_KEY,
      `body key notation: names joined by ".", "[N]" (N up to 999) or a final "[]", at most ${MAX_BODY_KEY_DEPTH} after the first name; __proto__, constructor and prototype are not names`,
    ),
);

/** A GET sends no body: a rule between two fields, checked even when others are bad and published as `not`. */
function checkGetHasNoBody(input: unknown, ctx: z.RefinementCtx): void {
  const { method, body } = (input ?? {}) as { method?: unknown; body?: unknown };
  if (method === 'GET' && Array.isArray(body) && body.length > 0)
    ctx.addIssue({ code: 'custom', path: ['body'], message: 'GET integrations carry no body' });
}
const GET_HAS_NO_BODY = {
  not: { required: ['method', 'body'], properties: { method: { const: 'GET' }, body: { minItems: 1 } } },
};

function checkConnectionsOnce(connections: unknown, ctx: z.RefinementCtx): void {
  if (!Array.isArray(connections)) return;
  const seen = new Set<unknown>();
  connections.forEach((connection: unknown, index) => {
    const code = (connection as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && seen.has(code))
      ctx.addIssue({ code: 'custom', path: [index, 'code'], message: `connection ${code} is listed twice` });
    seen.add(code);
  });
}

/** The editable fields of an integration; `integrationInput` adds the rules between them. */
export const IntegrationFields = {
  alias: textSchema(100),
  method: HttpMethodSchema,
  url: TargetUrlSchema,
  params: z
    .array(fieldSchema(textSchema(200)))
    .max(50)
    .default([]),
  auth: AuthInputSchema.default({ type: 'NONE' }),
  headers: z.array(HeaderFieldSchema).max(50).default([]),
  body: z.array(BodyFieldSchema).max(200).optional(),
  connections: z
    .array(z.strictObject({ code: ConnectionCodeSchema }))
    .max(100)
    .default([])
    .superRefine(checkConnectionsOnce, everyTime)
    .meta({ uniqueItems: true }),
};

/** An integration body, with extra fields for operations that take more (preview's `sample`). */
export const integrationInput = <Extra extends z.core.$ZodLooseShape>(extra: Extra) =>
  z
    .strictObject({ ...IntegrationFields, ...extra })
    .superRefine(checkGetHasNoBody, everyTime)
    .meta(GET_HAS_NO_BODY);

/** The body of a PUT (and of a preview): secrets may be left out or masked to keep the stored ones. */
export const IntegrationInputSchema = integrationInput({});
export type IntegrationInput = z.infer<typeof IntegrationInputSchema>;
/** The body of a create: as a PUT's, with every auth secret given. */
export const IntegrationCreateSchema = integrationInput({ auth: NewAuthInputSchema.default({ type: 'NONE' }) });
export type IntegrationCreate = z.infer<typeof IntegrationCreateSchema>;

/** `limit` is read as the digits it is written with: `Number()` would also take ` 5`, `1e2` or `0x10`. */
export const ListQuerySchema = z.object({
  limit: z
    .string()
    .regex(/^(?:[1-9][0-9]?|[1-4][0-9]{2}|500)$/, 'an integer from 1 to 500')
    .optional()
    .transform((limit) => (limit === undefined ? 50 : Number(limit)))
    .describe('page size, 1..500 (default 50)'),
  cursor: z
    .string()
    .regex(/^[0-9a-f]{24}$/, 'not a cursor returned by this list')
    .optional(),
});
export type ListQuery = z.infer<typeof ListQuerySchema>;

export const CampaignCreateSchema = z
  .strictObject({
    name: textSchema(100),
    integrationId: z.string().min(1).max(64),
    channel: ChannelSchema,
    senders: SendersSchema,
  })
  .superRefine(checkSenders, everyTime)
  .meta(SENDERS_BY_CHANNEL);
export type CampaignCreate = z.infer<typeof CampaignCreateSchema>;

export const TryOutSchema = z.strictObject({
  contact: z
    .string()
    .regex(new RegExp(`^[${W}]*[0-9]{5,15}[${W}]*$`), "the contact's phone number: 5–15 digits, no +")
    .trim(),
  connection: ConnectionCodeSchema,
  sender: SenderSchema.optional(),
  type: z.literal('MESSAGE').default('MESSAGE'),
  msg: z.string().min(1).max(4096),
});
export type TryOut = z.infer<typeof TryOutSchema>;

/** `z.iso.datetime({ offset: true })`, spelled with `[0-9]`. */
const ISO_DATETIME =
  /^(?:(?:[0-9]{2}[2468][048]|[0-9]{2}[13579][26]|[0-9]{2}0[48]|[02468][048]00|[13579][26]00)-02-29|[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8])))T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])$/;

/** A carrier's inbound (MO) callback (SPEC section 3). */
export const CarrierInboundSchema = z.strictObject({
  messageId: textSchema(200),
  from: z
    .string()
    .max(32)
    .regex(new RegExp(`^[${W}]*\\+?[0-9]{5,15}[${W}]*$`), "the contact's phone number")
    .trim()
    .transform((from) => from.replace(/^\+/, '')),
  to: textSchema(32),
  text: z.string().max(4096).optional(),
  media: z.strictObject({ url: HttpUrlSchema, caption: z.string().max(1024).optional() }).optional(),
  timestamp: z.string().regex(ISO_DATETIME, 'an ISO-8601 date-time with a Z or ±hh:mm offset').optional(),
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
