import { pino, type Logger } from 'pino';

/** Paths that may carry a secret anywhere a log line could include them. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.apiKey',
  '*.password',
  '*.token',
  '*.secret',
  '*.signingSecret',
  '*.responseToken',
];

const CENSOR = '[redacted]';

/**
 * A URL as it may be logged: the path, and each query key with its value redacted (a query string
 * can carry a token or a contact's number as well as a header can): `/v1/chats?contact=[redacted]`.
 */
export function redactedUrlOf(url: string): string {
  const mark = url.indexOf('?');
  if (mark < 0) return url;
  const keys = [...new URLSearchParams(url.slice(mark + 1)).keys()];
  const query = keys.map((key) => `${encodeURIComponent(key)}=${CENSOR}`).join('&');
  return query ? `${url.slice(0, mark)}?${query}` : url.slice(0, mark);
}

/** The request as pino-http serialized it, with its URL and query values redacted. */
export function redactedRequestOf<T extends { url?: unknown; query?: unknown }>(req: T): T {
  const query =
    req.query && typeof req.query === 'object'
      ? Object.fromEntries(Object.keys(req.query).map((key) => [key, CENSOR]))
      : req.query;
  return { ...req, ...(typeof req.url === 'string' ? { url: redactedUrlOf(req.url) } : {}), query };
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { service: 'chathook' }, redact: { paths: REDACTED_PATHS, censor: CENSOR } }, destination);
}
export type { Logger };
