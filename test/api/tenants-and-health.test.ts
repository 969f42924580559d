import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, apiClient, startTestApp, type TestApp } from '../support/harness.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.close();
});

describe('health', () => {
  it('answers /healthz and /readyz without a key, checking MongoDB and Temporal', async () => {
    const client = apiClient(app.baseUrl);
    expect((await client.get('/healthz')).body).toEqual({ status: 'ok' });
    const ready = await client.get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', checks: { mongodb: { ok: true }, temporal: { ok: true } } });
  });
});

describe('tenants', () => {
  it('creates a tenant with the root key and shows its API key once', async () => {
    const admin = apiClient(app.baseUrl, ADMIN_KEY);
    const created = await admin.post('/v1/tenants', { name: 'Globex' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Globex', id: expect.stringMatching(/^[0-9a-f]{24}$/) });
    expect(created.body.apiKey).toMatch(/^chk_[A-Za-z0-9_-]{43}$/);

    const stored = await app.models.Tenant.findById(created.body.id).lean();
    expect(JSON.stringify(stored)).not.toContain(created.body.apiKey);

    const tenant = apiClient(app.baseUrl, created.body.apiKey);
    expect((await tenant.get('/v1/connections')).status).toBe(200);
  });

  it('refuses tenant creation without the root key, or with a tenant key', async () => {
    expect((await apiClient(app.baseUrl).post('/v1/tenants', { name: 'x' })).status).toBe(401);
    const { apiKey } = await app.tenant();
    const withTenantKey = await apiClient(app.baseUrl, apiKey).post('/v1/tenants', { name: 'x' });
    expect(withTenantKey.status).toBe(401);
    expect(withTenantKey.body.error.code).toBe('UNAUTHORIZED');
  });

  it('validates the tenant body', async () => {
    const admin = apiClient(app.baseUrl, ADMIN_KEY);
    const response = await admin.post('/v1/tenants', { name: '' });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'VALIDATION_ERROR', fields: [{ path: 'name' }] });
  });

  it('answers 401 to a missing or unknown API key', async () => {
    for (const token of [undefined, 'chk_nope', 'x'.repeat(2000)]) {
      const response = await apiClient(app.baseUrl, token).get('/v1/integrations');
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('UNAUTHORIZED');
    }
  });

  it('answers an unknown route with a 404 error body', async () => {
    const response = await apiClient(app.baseUrl).get('/nothing-here');
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('ROUTE_NOT_FOUND');
  });
});
