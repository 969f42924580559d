/**
 * Renders the client webhook request of one chat event from an integration's template.
 * Pure and deterministic: the same template and event always give the same request, so
 * workflow code can render it and a replay reproduces it.
 */
import { BodyKeyError, buildBody, findBodyKeyConflicts } from './body-notation.js';
import type {
  ChatEvent,
  Field,
  RenderedWebhookRequest,
  TemplateVariable,
  WebhookAuth,
  WebhookTemplate,
} from './webhook-template.js';

export class TemplateRenderError extends Error {
  override readonly name = 'TemplateRenderError';
}

export interface RenderWebhookRequestOptions {
  /** Sent unless the template sets its own User-Agent. */
  userAgent?: string;
}

export interface TemplateProblem {
  path: (string | number)[];
  message: string;
}

/** RFC 9110 `token`: the only valid header names. */
const HEADER_NAME_PATTERN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HEADER_VALUE_FORBIDDEN_CHARS = /[\r\n\0]/;
const HEADER_VALUE_FORBIDDEN_RUNS = /[\r\n\0]+/g;
const LONE_SURROGATES = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function resolveTemplateVariable(variable: TemplateVariable, event: ChatEvent): string | null {
  switch (variable) {
    case '{{chatId}}':
      return event.chatId;
    case '{{contact}}':
      return event.contact;
    case '{{event}}':
      return event.event;
    case '{{text}}':
      return event.text;
    case '{{multimedia.url}}':
      return event.multimedia.url;
    case '{{multimedia.caption}}':
      return event.multimedia.caption;
    case '{{sender}}':
      return event.sender;
    case '{{channel}}':
      return event.channel;
    case '{{timestamp}}':
      return event.timestamp;
    default: {
      const unknownVariable: never = variable;
      throw new TemplateRenderError(`unknown template variable ${String(unknownVariable)}`);
    }
  }
}

function renderFieldValue(field: Field, event: ChatEvent): string | null {
  if (field.type === 'TEXT') return field.value;
  return resolveTemplateVariable(field.value as TemplateVariable, event);
}

/** Returns why `url` cannot be a webhook target, or null when it can. */
function describeUrlProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an absolute http(s) URL';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'must be an absolute http(s) URL';
  if (parsed.username !== '' || parsed.password !== '') {
    return 'must not carry credentials (user:pass@): use auth BASIC instead';
  }
  return null;
}

/**
 * `encodeURIComponent` throws on lone surrogates, which a contact's text may carry:
 * they become U+FFFD, as `TextEncoder` would do.
 */
function encodeQueryComponent(text: string): string {
  return encodeURIComponent(text.replace(LONE_SURROGATES, '\uFFFD'));
}

/**
 * Appends the pairs after the URL's own query, kept byte for byte: going through
 * `searchParams` would re-serialise the client's query (`%20` → `+`, `?flag` → `?flag=`).
 * Spaces are sent as `%20`, which every server decodes, unlike `+`.
 */
function buildUrl(templateUrl: string, queryPairs: ReadonlyArray<[string, string]>): string {
  const urlProblem = describeUrlProblem(templateUrl);
  if (urlProblem !== null) throw new TemplateRenderError(`url ${urlProblem}`);
  const url = new URL(templateUrl);
  url.hash = '';
  if (queryPairs.length > 0) {
    const appended = queryPairs
      .map(([key, value]) => `${encodeQueryComponent(key)}=${encodeQueryComponent(value)}`)
      .join('&');
    const existing = url.search.replace(/^\?/, '');
    const separator = existing === '' || existing.endsWith('&') ? '' : '&';
    url.search = `?${existing}${separator}${appended}`;
  }
  return url.toString();
}

/*
 * Header values: a CR, LF or NUL would let a value start a new header or end the head of
 * the request (header injection). Configuration (TEXT values, auth) with one of them is an
 * error the client must fix, so it throws. Event data (a VARIABLE such as `{{text}}`, a
 * contact's message) is not the client's mistake and must not block delivery: each run of
 * CR/LF/NUL becomes a single space, which keeps the words apart and the request valid.
 */
function assertConfiguredHeaderValue(name: string, value: string): void {
  if (HEADER_VALUE_FORBIDDEN_CHARS.test(value)) {
    throw new TemplateRenderError(`header "${name}": the value must not contain CR, LF or NUL`);
  }
}

/*
 * HTTP clients refuse header values outside visible ASCII, tab and Latin-1, and Latin-1 would
 * be misread by most receivers anyway; event data (a contact's emoji) is percent-encoded as
 * UTF-8 instead, the same way it would travel in a query parameter.
 */
const HEADER_VALUE_NON_ASCII = /[^\t\x20-\x7e]/gu;

export function sanitizeEventHeaderValue(value: string): string {
  return value
    .replace(HEADER_VALUE_FORBIDDEN_RUNS, ' ')
    .replace(LONE_SURROGATES, '\uFFFD')
    .replace(HEADER_VALUE_NON_ASCII, (char) => encodeURIComponent(char));
}

/** Headers chathook owns: framing, the connection, and the Standard Webhooks signature. */
export const RESERVED_HEADER_NAMES: ReadonlySet<string> = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'proxy-connection',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
]);

function assertHeaderName(name: string): void {
  if (!HEADER_NAME_PATTERN.test(name)) {
    throw new TemplateRenderError(`header name "${name}" is not a valid HTTP header name`);
  }
}

/** Header names are case-insensitive: keyed by lower case, the last one set wins. */
class HeaderList {
  private readonly entries = new Map<string, [string, string]>();

  set(name: string, value: string): void {
    this.entries.set(name.toLowerCase(), [name, value]);
  }

  has(name: string): boolean {
    return this.entries.has(name.toLowerCase());
  }

  /** `Object.fromEntries` defines properties, so even a `__proto__` header stays a header. */
  toRecord(): Record<string, string> {
    return Object.fromEntries(this.entries.values());
  }
}

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** `btoa` is not in every runtime this module runs in (the Temporal workflow sandbox). */
function base64OfUtf8(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let encoded = '';
  for (let offset = 0; offset < bytes.length; offset += 3) {
    const byte0 = bytes[offset]!;
    const byte1 = bytes[offset + 1];
    const byte2 = bytes[offset + 2];
    const triple = (byte0 << 16) | ((byte1 ?? 0) << 8) | (byte2 ?? 0);
    encoded += BASE64_ALPHABET[(triple >> 18) & 63]!;
    encoded += BASE64_ALPHABET[(triple >> 12) & 63]!;
    encoded += byte1 === undefined ? '=' : BASE64_ALPHABET[(triple >> 6) & 63]!;
    encoded += byte2 === undefined ? '=' : BASE64_ALPHABET[triple & 63]!;
  }
  return encoded;
}

function applyAuth(auth: WebhookAuth, headers: HeaderList, queryPairs: Array<[string, string]>): void {
  switch (auth.type) {
    case 'NONE':
      return;
    case 'API_KEY':
      if (auth.in === 'query') {
        queryPairs.push([auth.key, auth.value]);
        return;
      }
      assertHeaderName(auth.key);
      assertConfiguredHeaderValue(auth.key, auth.value);
      headers.set(auth.key, auth.value);
      return;
    case 'BASIC':
      headers.set('Authorization', `Basic ${base64OfUtf8(`${auth.username}:${auth.password}`)}`);
      return;
    case 'BEARER':
      assertConfiguredHeaderValue('Authorization', auth.token);
      headers.set('Authorization', `Bearer ${auth.token}`);
      return;
    default: {
      const unknownAuth: never = auth;
      throw new TemplateRenderError(`unknown auth type ${String((unknownAuth as { type: unknown }).type)}`);
    }
  }
}

export function renderWebhookRequest(
  template: WebhookTemplate,
  event: ChatEvent,
  options: RenderWebhookRequestOptions = {},
): RenderedWebhookRequest {
  const queryPairs: Array<[string, string]> = template.params.map((field) => [
    field.key,
    renderFieldValue(field, event) ?? '',
  ]);

  const headers = new HeaderList();
  for (const field of template.headers) {
    assertHeaderName(field.key);
    if (field.type === 'TEXT') {
      assertConfiguredHeaderValue(field.key, field.value);
      headers.set(field.key, field.value);
    } else {
      headers.set(field.key, sanitizeEventHeaderValue(renderFieldValue(field, event) ?? ''));
    }
  }
  // Applied after the template headers: a template header must not replace the credentials.
  applyAuth(template.auth, headers, queryPairs);

  const url = buildUrl(template.url, queryPairs);

  let body: string | undefined;
  if (template.method !== 'GET') {
    let bodyObject: Record<string, unknown>;
    try {
      bodyObject = buildBody(template.body.map((field) => ({ key: field.key, value: renderFieldValue(field, event) })));
    } catch (error) {
      if (error instanceof BodyKeyError) throw new TemplateRenderError(error.message, { cause: error });
      throw error;
    }
    body = JSON.stringify(bodyObject);
    if (!headers.has('Content-Type')) headers.set('Content-Type', 'application/json');
  }
  if (options.userAgent !== undefined && !headers.has('User-Agent')) {
    assertConfiguredHeaderValue('User-Agent', options.userAgent);
    headers.set('User-Agent', options.userAgent);
  }

  return { method: template.method, url, headers: headers.toRecord(), body };
}

/** Problems of a template as the management API reports them (400), with the field paths. */
export function validateWebhookTemplate(
  template: Pick<WebhookTemplate, 'method' | 'body' | 'headers' | 'url'>,
): TemplateProblem[] {
  const problems: TemplateProblem[] = [];

  const urlProblem = describeUrlProblem(template.url);
  if (urlProblem !== null) problems.push({ path: ['url'], message: urlProblem });

  template.headers.forEach((field, index) => {
    if (!HEADER_NAME_PATTERN.test(field.key)) {
      problems.push({ path: ['headers', index, 'key'], message: `"${field.key}" is not a valid HTTP header name` });
    }
    if (RESERVED_HEADER_NAMES.has(field.key.toLowerCase())) {
      problems.push({
        path: ['headers', index, 'key'],
        message: `"${field.key}" is set by chathook and cannot be configured`,
      });
    }
    if (field.type === 'TEXT' && HEADER_VALUE_FORBIDDEN_CHARS.test(field.value)) {
      problems.push({ path: ['headers', index, 'value'], message: 'a header value must not contain CR, LF or NUL' });
    } else if (field.type === 'TEXT' && /[^\t\x20-\x7e]/.test(field.value)) {
      problems.push({ path: ['headers', index, 'value'], message: 'a header value must be printable ASCII' });
    }
  });

  if (template.method === 'GET') {
    if (template.body.length > 0) problems.push({ path: ['body'], message: 'GET integrations carry no body' });
  } else {
    for (const conflict of findBodyKeyConflicts(template.body.map((field) => field.key))) {
      problems.push({ path: ['body', conflict.index, 'key'], message: conflict.message });
    }
  }
  return problems;
}
