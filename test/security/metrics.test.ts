/**
 * Issue 11, reproduction 6 (the /metrics part): the Prometheus scrape was open to anyone
 * reaching the API. With METRICS_TOKEN set it needs that Bearer token; unset, it stays open and
 * the document says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { networkInterfaces } from 'node:os';
import { startTestApp, type TestApp } from '../support/harness.js';
import { startApi } from '../../src/http/server.js';
import { appDepsOf } from '../../src/bin/runtime.js';
import { isLoopback } from '../../src/http/routers/health-router.js';

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

  it('answers loopback clients 200 with or without a token, and publishes no security requirement', async () => {
    expect(app.config.metricsToken).toBeUndefined();
    expect((await scrape(app)).status).toBe(200);
    expect((await scrape(app, 'Bearer anything-at-all-here')).status).toBe(200);
    const operation = await metricsOperation(app);
    expect(operation.security).toBeUndefined();
    expect(operation.responses['401']).toBeUndefined();
  });

  it('answers 403 FORBIDDEN to a client beyond loopback when the API listens on every interface', async () => {
    const outside = Object.values(networkInterfaces())
      .flat()
      .find((address) => address && !address.internal && address.family === 'IPv4')?.address;
    // The same runtime behind a second listener on 0.0.0.0, as a deployment with HOST unset has.
    const open = await startApi(appDepsOf(app.runtime), 0, '0.0.0.0');
    try {
      expect((await fetch(`http://127.0.0.1:${open.port}/metrics`)).status).toBe(200);
      if (!outside) return; // No non-loopback interface on this machine: nothing else can connect.
      const refused = await fetch(`http://${outside}:${open.port}/metrics`);
      expect(refused.status).toBe(403);
      const body = await refused.text();
      expect(JSON.parse(body)).toMatchObject({ error: { code: 'FORBIDDEN' } });
      expect(body).not.toContain('chathook_');
    } finally {
      await open.close();
    }
  });

  it('publishes the 403 of a scrape from beyond loopback', async () => {
    expect(Object.keys((await metricsOperation(app)).responses)).toContain('403');
  });

  it('counts 127.0.0.0/8, ::1 and IPv4-mapped loopback as loopback, nothing else', () => {
    for (const address of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1'])
      expect(isLoopback(address)).toBe(true);
    for (const address of [undefined, '', '192.0.2.2', '::ffff:10.0.0.1', 'fd00::2', '128.0.0.1'])
      expect(isLoopback(address)).toBe(false);
  });
});
