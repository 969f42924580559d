/**
 * Query strings are redacted in the request log the way headers are: the path and each query key
 * are logged, never a value (a query can carry a token or a contact's number).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type ApiClient, type TestApp } from '../support/harness.js';
import { redactedUrlOf } from '../../src/platform/logger.js';

let app: TestApp;
let acme: ApiClient;
const logLines: string[] = [];

beforeAll(async () => {
  app = await startTestApp({
    env: { LOG_LEVEL: 'info' },
    logStream: { write: (line: string) => void logLines.push(line) },
  });
  acme = (await app.tenant('Acme')).client;
});
afterAll(async () => {
  await app.close();
});

const SECRET_VALUE = 'query-secret-value-0123456789';
const CONTACT = '5491199887766';

describe('request log', () => {
  it('logs the path and query keys, with every query value redacted', async () => {
    logLines.length = 0;
    await acme.get(`/v1/integrations?token=${SECRET_VALUE}&contact=${CONTACT}&contact=${CONTACT}1`);
    await acme.get(`/no-such-path?apiKey=${SECRET_VALUE}`);
    await expect.poll(() => logLines.filter((line) => line.includes('"res"')).length).toBeGreaterThanOrEqual(2);
    const all = logLines.join('\n');
    expect(all).not.toContain(SECRET_VALUE);
    expect(all).not.toContain(CONTACT);
    const requests = logLines
      .map((line) => JSON.parse(line) as { req?: { url: string; query?: Record<string, string> } })
      .flatMap((line) => (line.req ? [line.req] : []));
    const listed = requests.find((req) => req.url.startsWith('/v1/integrations'));
    expect(listed?.url).toBe('/v1/integrations?token=[redacted]&contact=[redacted]&contact=[redacted]');
    expect(Object.values(listed?.query ?? {}).every((value) => value === '[redacted]')).toBe(true);
    expect(requests.map((req) => req.url)).toContain('/no-such-path?apiKey=[redacted]');
  });

  it('keeps a URL without a query as it is', () => {
    expect(redactedUrlOf('/v1/chats/123')).toBe('/v1/chats/123');
    expect(redactedUrlOf('/v1/chats?')).toBe('/v1/chats');
    expect(redactedUrlOf('/a?x=1&y')).toBe('/a?x=[redacted]&y=[redacted]');
  });
});
