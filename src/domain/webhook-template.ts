import { z } from 'zod';

/** The variables a `VARIABLE` field may hold: exactly one of these, nothing around it. */
export const TEMPLATE_VARIABLES = [
  '{{chatId}}',
  '{{contact}}',
  '{{event}}',
  '{{text}}',
  '{{multimedia.url}}',
  '{{multimedia.caption}}',
  '{{sender}}',
  '{{channel}}',
  '{{timestamp}}',
] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

export const HTTP_METHODS = ['POST', 'GET', 'PUT', 'DELETE'] as const;
export const HttpMethodSchema = z.enum(HTTP_METHODS);
export type HttpMethod = z.infer<typeof HttpMethodSchema>;

export const ChannelSchema = z.enum(['SMS', 'WHATSAPP']);
export type Channel = z.infer<typeof ChannelSchema>;

/**
 * The characters `String.prototype.trim` removes (ECMAScript WhiteSpace and LineTerminator),
 * spelled out for patterns: a published `\\s` means something else to a Python reader.
 */
export const TRIMMED_CHARACTERS =
  '\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';

/**
 * Free text of at most `max` characters, stored trimmed. The length is checked before
 * trimming and "not blank" is a pattern, so the published `maxLength` and `pattern` accept
 * exactly what the server does (a `minLength` after trimming would not be).
 */
export const textSchema = (max: number) =>
  z
    .string()
    .max(max)
    .trim()
    .regex(new RegExp(`[^${TRIMMED_CHARACTERS}]`), 'must not be blank');

/**
 * A VARIABLE field holds one variable of the catalog: a rule between two fields, checked even
 * when other fields are bad (`when`) so every problem is listed at once, and published as
 * `oneOf` so the document states it too.
 */
function checkVariable(field: unknown, ctx: z.RefinementCtx): void {
  const { type, value } = (field ?? {}) as { type?: unknown; value?: unknown };
  if (type === 'VARIABLE' && typeof value === 'string' && !(TEMPLATE_VARIABLES as readonly string[]).includes(value)) {
    ctx.addIssue({ code: 'custom', path: ['value'], message: `must be one of ${TEMPLATE_VARIABLES.join(', ')}` });
  }
}

export const everyTime = { when: () => true };

/** A params/headers/body row; `key` and `value` narrow it for one place (header names, body key notation). */
export const fieldSchema = (key: z.ZodType<string, string>, value: z.ZodType<string, string> = z.string().max(4096)) =>
  z
    .strictObject({ key, type: z.enum(['TEXT', 'VARIABLE']), value })
    .superRefine(checkVariable, everyTime)
    .meta({
      oneOf: [
        { properties: { type: { const: 'TEXT' } } },
        { properties: { type: { const: 'VARIABLE' }, value: { enum: [...TEMPLATE_VARIABLES] } } },
      ],
    });

export const FieldSchema = fieldSchema(textSchema(200));
export type Field = z.infer<typeof FieldSchema>;

/** Body used when an integration that sends a body omits it. */
export const DEFAULT_BODY: readonly Field[] = [
  { key: 'chatId', type: 'VARIABLE', value: '{{chatId}}' },
  { key: 'contact', type: 'VARIABLE', value: '{{contact}}' },
  { key: 'event', type: 'VARIABLE', value: '{{event}}' },
  { key: 'text', type: 'VARIABLE', value: '{{text}}' },
  { key: 'multimedia.url', type: 'VARIABLE', value: '{{multimedia.url}}' },
  { key: 'multimedia.caption', type: 'VARIABLE', value: '{{multimedia.caption}}' },
];

/** Auth with its secrets in clear: what the renderer needs (never what an API response shows). */
export type WebhookAuth =
  | { type: 'NONE' }
  | { type: 'API_KEY'; key: string; value: string; in: 'header' | 'query' }
  | { type: 'BASIC'; username: string; password: string }
  | { type: 'BEARER'; token: string };

/** Everything needed to render the client webhook request of one integration. */
export interface WebhookTemplate {
  method: HttpMethod;
  url: string;
  params: Field[];
  auth: WebhookAuth;
  headers: Field[];
  /** Already resolved: the stored body rows (the default ones when the client omitted it); `[]` for GET. */
  body: Field[];
}

export const ChatEventTypeSchema = z.enum(['MESSAGE', 'END']);
export type ChatEventType = z.infer<typeof ChatEventTypeSchema>;

/** One event of a chat, as delivered to the client webhook. */
export interface ChatEvent {
  chatId: string;
  contact: string;
  event: ChatEventType;
  text: string | null;
  multimedia: { url: string | null; caption: string | null };
  sender: string;
  channel: Channel;
  /** ISO-8601 UTC. */
  timestamp: string;
}

/** The HTTP request the client endpoint receives, before signing. */
export interface RenderedWebhookRequest {
  method: HttpMethod;
  url: string;
  headers: Record<string, string>;
  /** JSON text, or undefined when the method sends no body (GET). */
  body: string | undefined;
}
