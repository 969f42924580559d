/**
 * Issue 11, reproduction 6 (the /metrics part): the Prometheus scrape was open to anyone
 * reaching the API. With METRICS_TOKEN set it needs that Bearer token; unset, it stays open and
 * the document says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/harness.js';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

const scrape = (app: TestApp, authorization?: string) =>
  fetch(`${app.baseUrl}/metrics`, { headers: authorization ? { authorization } : {} });

async function metricsOperation(app: TestApp) {
  const document = (await (await fetch(`${app.baseUrl}/openapi.json`)).json()) as {
    paths: Record<string, { get: { security?: unknown; responses: Record<string, unknown> } }>;
  };
  return document.paths['/metrics']!.get;
}

describe('with METRICS_TOKEN set', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { METRICS_TOKEN } });
  });
  afterAll(async () => {
    await app.close();
  });

  it.each([
    ['no Authorization header', undefined],
    ['a wrong token', 'Bearer metrics-token-0123456789abcdeX'],
    ['a prefix of the token', `Bearer ${METRICS_TOKEN.slice(0, -1)}`],
    ['the token in another scheme', `Basic ${METRICS_TOKEN}`],
  ])('answers 401 to %s, without a metric in the body', async (_case, authorization) => {
    const response = await scrape(app, authorization);
    expect(response.status).toBe(401);
    const body = await response.text();
    expect(JSON.parse(body)).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    expect(body).not.toContain('chathook_');
  });

  it('answers 200 with the Prometheus text to the right token', async () => {
    const response = await scrape(app, `Bearer ${METRICS_TOKEN}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await response.text()).toContain('chathook_http_requests_total');
  });

  it('publishes the scrape with the metricsToken security scheme and its 401', async () => {
    const operation = await metricsOperation(app);
    expect(operation.security).toEqual([{ metricsToken: [] }]);
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '401']));
  });
});

describe('with METRICS_TOKEN unset', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app.close();
  });

  it('answers 200 with or without a token, and publishes no security requirement', async () => {
    expect(app.config.metricsToken).toBeUndefined();
    expect((await scrape(app)).status).toBe(200);
    expect((await scrape(app, 'Bearer anything-at-all-here')).status).toBe(200);
    const operation = await metricsOperation(app);
    expect(operation.security).toBeUndefined();
    expect(operation.responses['401']).toBeUndefined();
  });
});
