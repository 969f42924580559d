/**
 * Issue "One tenant cannot slow another", item 1: per-tenant quotas (QUOTA_*), the operator's
 * override per tenant (PUT /v1/tenants/{id}/quotas, root key) and no duplicate reservation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, apiClient, startTestApp, type ApiClient, type TestApp } from '../support/harness.js';
import { createConnection, createIntegration, uniqueSender } from '../support/fixtures.js';

let app: TestApp;
let root: ApiClient;
let seq = 0;
const code = (prefix: string) => `${prefix}-${(seq += 1)}`;

beforeAll(async () => {
  app = await startTestApp({
    worker: true,
    env: {
      QUOTA_INTEGRATIONS: '2',
      QUOTA_CONNECTIONS: '2',
      QUOTA_SENDERS_PER_CONNECTION: '3',
      QUOTA_RESERVATIONS: '2',
      QUOTA_CAMPAIGNS: '1',
      QUOTA_TEMPLATE_BYTES: '20000',
    },
  });
  root = apiClient(app.baseUrl, ADMIN_KEY);
}, 60_000);
afterAll(async () => {
  await app?.close();
});

const expectQuota = (response: { status: number; body: any }, quota: string, limit: number) => {
  expect(response.status, JSON.stringify(response.body)).toBe(409);
  expect(response.body.error).toMatchObject({ code: 'QUOTA_EXCEEDED', quota, limit });
};

describe('per-tenant quotas (QUOTA_*)', () => {
  it('refuses the integration past QUOTA_INTEGRATIONS with 409 QUOTA_EXCEEDED and stores nothing', async () => {
    const { client } = await app.tenant();
    await createIntegration(client, 'One', []);
    await createIntegration(client, 'Two', []);
    const third = await client.post('/v1/integrations', {
      alias: 'Three',
      method: 'POST',
      url: 'http://127.0.0.1:9/h',
    });
    expectQuota(third, 'integrations', 2);
    expect((await client.get('/v1/integrations')).body.items).toHaveLength(2);
  });

  it('refuses the connection past QUOTA_CONNECTIONS, and one with more senders than QUOTA_SENDERS_PER_CONNECTION', async () => {
    const { client } = await app.tenant();
    const tooWide = await client.post('/v1/connections', {
      code: code('WIDE'),
      channel: 'SMS',
      senders: [uniqueSender(), uniqueSender(), uniqueSender(), uniqueSender()],
      carrier: { type: 'sandbox' },
    });
    expectQuota(tooWide, 'sendersPerConnection', 3);
    await createConnection(client, code('Q'), [uniqueSender(), uniqueSender(), uniqueSender()]);
    await createConnection(client, code('Q'), [uniqueSender()]);
    const third = await client.post('/v1/connections', {
      code: code('Q'),
      channel: 'SMS',
      senders: [uniqueSender()],
      carrier: { type: 'sandbox' },
    });
    expectQuota(third, 'connections', 2);
    expect((await client.get('/v1/connections')).body.items).toHaveLength(2);
  });

  it('counts the operator-provisioned connections of a tenant too', async () => {
    const tenant = await app.tenant();
    await createConnection(tenant.client, code('Q'), [uniqueSender()]);
    await createConnection(tenant.client, code('Q'), [uniqueSender()]);
    const provisioned = await root.post(`/v1/tenants/${tenant.id}/connections`, {
      code: code('HTTP'),
      channel: 'SMS',
      senders: [uniqueSender()],
      carrier: { type: 'http', url: 'http://127.0.0.1:9/send' },
    });
    expectQuota(provisioned, 'connections', 2);
  });

  it('refuses a duplicate reservation (same sender and feature) with 409, then the one past QUOTA_RESERVATIONS', async () => {
    const { client } = await app.tenant();
    const senders = [uniqueSender(), uniqueSender(), uniqueSender()];
    await createConnection(client, code('R'), senders);
    const reserve = (sender: string, feature = 'AUTO_REPLY') =>
      client.post('/v1/reservations', { channel: 'SMS', sender, feature });
    expect((await reserve(senders[0]!)).status).toBe(201);
    const duplicate = await reserve(senders[0]!);
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error.code).toBe('RESERVATION_EXISTS');
    expect((await reserve(senders[0]!, 'KEYWORD_CAMPAIGN')).status).toBe(201);
    expectQuota(await reserve(senders[1]!), 'reservations', 2);
    expect((await client.get('/v1/reservations')).body.items).toHaveLength(2);
  });

  it('refuses the campaign past QUOTA_CAMPAIGNS', async () => {
    const { client } = await app.tenant();
    const sender = uniqueSender();
    await createConnection(client, code('C'), [sender]);
    const bot = await createIntegration(client, 'Bot', []);
    const started = await client.post(`/v1/integrations/${bot.id}/start`);
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    const campaign = (name: string) =>
      client.post('/v1/campaigns', { name, integrationId: bot.id, channel: 'SMS', senders: [sender] });
    expect((await campaign('First')).status).toBe(201);
    expectQuota(await campaign('Second'), 'campaigns', 1);
    expect((await client.get('/v1/campaigns')).body.items).toHaveLength(1);
  });
});

describe('the template-bytes quota (QUOTA_TEMPLATE_BYTES)', () => {
  const bodyOf = (rows: number) =>
    Array.from({ length: rows }, (_, i) => ({ key: `b${i}`, type: 'TEXT', value: 'x'.repeat(1000) }));
  const withBody = (alias: string, rows: number) => ({
    alias,
    method: 'POST',
    url: 'http://127.0.0.1:9/h',
    body: bodyOf(rows),
  });

  it("counts every integration's template rows; a create or a PUT past it is 409 and stores nothing", async () => {
    const { client } = await app.tenant();
    const first = await client.post('/v1/integrations', withBody('Big', 12));
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    // 12 + 9 rows of 1,000 characters: over 20,000 bytes for the tenant.
    expectQuota(await client.post('/v1/integrations', withBody('Second', 9)), 'templateBytes', 20_000);
    expect((await client.get('/v1/integrations')).body.items).toHaveLength(1);
    // A PUT counts the other integrations and what it writes, not what it replaces.
    const grown = await client.put(`/v1/integrations/${first.body.id}`, withBody('Big', 19));
    expect(grown.status, JSON.stringify(grown.body)).toBe(200);
    expectQuota(await client.put(`/v1/integrations/${first.body.id}`, withBody('Big', 21)), 'templateBytes', 20_000);
    expect((await client.get(`/v1/integrations/${first.body.id}`)).body.body).toHaveLength(19);
    // Another tenant's budget is its own.
    const other = await app.tenant();
    expect((await other.client.post('/v1/integrations', withBody('Theirs', 12))).status).toBe(201);
  });
});

describe("the operator's override (PUT /v1/tenants/{id}/quotas)", () => {
  it("raises one tenant's quota and not another's", async () => {
    const big = await app.tenant();
    const small = await app.tenant();
    const set = await root.put(`/v1/tenants/${big.id}/quotas`, { integrations: 3 });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body).toMatchObject({ integrations: 3, connections: 2, campaigns: 1 });
    expect((await root.get(`/v1/tenants/${big.id}/quotas`)).body.integrations).toBe(3);
    expect((await root.get(`/v1/tenants/${small.id}/quotas`)).body.integrations).toBe(2);
    for (const alias of ['A', 'B', 'C']) await createIntegration(big.client, alias, []);
    expectQuota(
      await big.client.post('/v1/integrations', { alias: 'D', method: 'POST', url: 'http://127.0.0.1:9/h' }),
      'integrations',
      3,
    );
    await createIntegration(small.client, 'A', []);
    await createIntegration(small.client, 'B', []);
    expectQuota(
      await small.client.post('/v1/integrations', { alias: 'C', method: 'POST', url: 'http://127.0.0.1:9/h' }),
      'integrations',
      2,
    );
  });

  it('needs the root key, and answers 404 for an unknown tenant', async () => {
    const tenant = await app.tenant();
    expect((await tenant.client.put(`/v1/tenants/${tenant.id}/quotas`, { integrations: 100 })).status).toBe(401);
    expect((await root.put('/v1/tenants/000000000000000000000000/quotas', { integrations: 5 })).status).toBe(404);
    expect((await root.put(`/v1/tenants/${tenant.id}/quotas`, { integrations: -1 })).status).toBe(400);
  });
});
