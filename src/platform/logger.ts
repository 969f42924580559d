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

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    { level, base: { service: 'chathook' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
    destination,
  );
}
export type { Logger };
