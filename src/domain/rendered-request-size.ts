/**
 * How large the request of a webhook template can get: a template whose request for the largest
 * allowed message would exceed `MAX_RENDERED_REQUEST_BYTES` is refused (SPEC section 2). Measured
 * from the rows' sizes, never by rendering: rendering the worst case would allocate what the
 * limit is there to prevent, and this runs on every create, update and preview.
 */
import { BodyKeyError, bodyJsonBytes, jsonStringBytes } from './body-notation.js';
import { TemplateRenderError, resolveTemplateVariable, sanitizeEventHeaderValue } from './render-webhook-request.js';
import { TEMPLATE_VARIABLES, type ChatEvent, type WebhookTemplate } from './webhook-template.js';

export const MAX_RENDERED_REQUEST_BYTES = 256 * 1024;

/** Room for what chathook adds to every request: request line, Content-Type, User-Agent, signing headers. */
const CHATHOOK_HEADERS_ALLOWANCE = 1024;

/** The longest secret the API takes (auth token, password, key value). */
const MAX_SECRET_LENGTH = 4096;

/*
 * The largest message a carrier can hand over (SPEC section 3), each of its characters the one
 * that takes the most room once rendered: a lone surrogate is 6 bytes in JSON (`\udXXX`) and 9
 * in a query or a header (U+FFFD, percent-encoded).
 */
const WIDEST_CHARACTER = '\uD800';
export const LARGEST_MESSAGE_EVENT: ChatEvent = {
  chatId: '00000000-0000-4000-8000-000000000000',
  contact: '9'.repeat(32),
  event: 'MESSAGE',
  text: WIDEST_CHARACTER.repeat(4096),
  multimedia: { url: WIDEST_CHARACTER.repeat(2048), caption: WIDEST_CHARACTER.repeat(1024) },
  sender: 'W'.repeat(32),
  channel: 'WHATSAPP',
  timestamp: '+275760-09-13T00:00:00.000Z',
};

const isPairAt = (text: string, index: number) => {
  const high = text.charCodeAt(index);
  const low = text.charCodeAt(index + 1);
  return high >= 0xd800 && high <= 0xdbff && low >= 0xdc00 && low <= 0xdfff;
};

/** ASCII characters `encodeURIComponent` keeps as they are (the others become `%XX`). */
const QUERY_UNRESERVED = new Set(
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()".split('').map((char) => char.charCodeAt(0)),
);

/** Length of a query component as the renderer encodes it (lone surrogates as U+FFFD). */
function queryComponentBytes(text: string): number {
  if (/^[A-Za-z0-9\-_.!~*'()]*$/.test(text)) return text.length;
  let bytes = 0;
  for (let index = 0; index < text.length; index++) {
    const unit = text.charCodeAt(index);
    if (unit < 0x80) bytes += QUERY_UNRESERVED.has(unit) ? 1 : 3;
    else if (unit < 0x800) bytes += 6;
    else if (isPairAt(text, index)) {
      bytes += 12;
      index++;
    } else bytes += 9;
  }
  return bytes;
}

/** UTF-8 bytes of a string (lone surrogates as U+FFFD, as `TextEncoder` sends them). */
function utf8Bytes(text: string): number {
  if (/^[\x00-\x7f]*$/.test(text)) return text.length;
  let bytes = 0;
  for (let index = 0; index < text.length; index++) {
    const unit = text.charCodeAt(index);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (isPairAt(text, index)) {
      bytes += 4;
      index++;
    } else bytes += 3;
  }
  return bytes;
}

/** Each variable's rendered size for the largest message, in a body, a query and a header. */
const LARGEST_VARIABLE_BYTES = new Map(
  TEMPLATE_VARIABLES.map((variable) => {
    const value = resolveTemplateVariable(variable, LARGEST_MESSAGE_EVENT);
    const sizes = {
      body: value === null ? 'null'.length : jsonStringBytes(value),
      query: queryComponentBytes(value ?? ''),
      header: sanitizeEventHeaderValue(value ?? '').length,
    };
    return [variable as string, sizes] as const;
  }),
);

const largestOf = (variable: string) => {
  const sizes = LARGEST_VARIABLE_BYTES.get(variable);
  if (sizes === undefined) throw new TemplateRenderError(`unknown template variable ${variable}`);
  return sizes;
};

const HEADER_LINE = ': \r\n'.length;
const QUERY_PAIR = '&='.length;

/**
 * An auth without its secret: the size counts a secret at its maximum length, whether it is given, stored or masked.
 */
export type AuthOfAnySecret =
  | { type: 'NONE' }
  | { type: 'API_KEY'; key: string; in: 'header' | 'query' }
  | { type: 'BASIC'; username: string }
  | { type: 'BEARER' };

function authBytes(auth: AuthOfAnySecret): number {
  const secretHeaderBytes = MAX_SECRET_LENGTH * utf8Bytes(WIDEST_CHARACTER);
  switch (auth.type) {
    case 'API_KEY':
      return auth.in === 'query'
        ? QUERY_PAIR + queryComponentBytes(auth.key) + MAX_SECRET_LENGTH * queryComponentBytes(WIDEST_CHARACTER)
        : auth.key.length + HEADER_LINE + secretHeaderBytes;
    case 'BASIC':
      return (
        'Authorization'.length +
        HEADER_LINE +
        'Basic '.length +
        4 * Math.ceil((utf8Bytes(auth.username) + 1 + secretHeaderBytes) / 3)
      );
    case 'BEARER':
      return 'Authorization'.length + HEADER_LINE + 'Bearer '.length + secretHeaderBytes;
    default:
      return 0;
  }
}

/** The parts of a template, as the API names its fields. */
export type TemplatePart = 'url' | 'auth' | 'params' | 'headers' | 'body';

/**
 * An upper bound of the bytes of the request `template` renders for the largest allowed message
 * (request line, headers and body), linear in the template's rows whatever its body would
 * allocate, with the part that weighs most. The body part is exact; a header set twice counts twice.
 */
export function largestRenderedRequestBytes(template: Omit<WebhookTemplate, 'auth'> & { auth: AuthOfAnySecret }): {
  bytes: number;
  largestPart: TemplatePart;
} {
  const parts: Record<TemplatePart, number> = {
    // Each byte of the URL as written becomes at most `%XX` once parsed.
    url: template.method.length + utf8Bytes(template.url) * 3,
    auth: authBytes(template.auth),
    params: 0,
    headers: 0,
    body: 0,
  };
  for (const field of template.params) {
    parts.params +=
      QUERY_PAIR +
      queryComponentBytes(field.key) +
      (field.type === 'TEXT' ? queryComponentBytes(field.value) : largestOf(field.value).query);
  }
  for (const field of template.headers) {
    parts.headers +=
      utf8Bytes(field.key) +
      HEADER_LINE +
      (field.type === 'TEXT' ? utf8Bytes(field.value) : largestOf(field.value).header);
  }
  if (template.method !== 'GET') {
    try {
      parts.body = bodyJsonBytes(
        template.body.map((field) => ({
          key: field.key,
          valueBytes: field.type === 'TEXT' ? jsonStringBytes(field.value) : largestOf(field.value).body,
        })),
      );
    } catch (error) {
      if (error instanceof BodyKeyError) throw new TemplateRenderError(error.message, { cause: error });
      throw error;
    }
  }
  const entries = Object.entries(parts) as Array<[TemplatePart, number]>;
  const largestPart = entries.reduce((largest, entry) => (entry[1] > largest[1] ? entry : largest))[0];
  return { bytes: CHATHOOK_HEADERS_ALLOWANCE + entries.reduce((sum, [, bytes]) => sum + bytes, 0), largestPart };
}
