import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BODY } from '../../src/domain/webhook-template.js';
import { startTestApp, type ApiClient, type TestApp } from '../support/harness.js';

let app: TestApp;
let acme: ApiClient;
let globex: ApiClient;

beforeAll(async () => {
  app = await startTestApp();
  acme = (await app.tenant('Acme')).client;
  globex = (await app.tenant('Globex')).client;
  await acme.post('/v1/connections', {
    code: 'SMS-A',
    channel: 'SMS',
    senders: ['141518'],
    carrier: { type: 'sandbox' },
  });
  await acme.post('/v1/connections', {
    code: 'WA-A',
    channel: 'WHATSAPP',
    senders: ['584123149352'],
    carrier: { type: 'sandbox' },
  });
  await globex.post('/v1/connections', {
    code: 'SMS-G',
    channel: 'SMS',
    senders: ['999'],
    carrier: { type: 'sandbox' },
  });
});
afterAll(async () => {
  await app.close();
});

const integration = (overrides: Record<string, unknown> = {}) => ({
  alias: 'Support desk',
  method: 'POST',
  url: 'https://client.example/hooks/chat?source=chathook',
  params: [{ key: 'chat', type: 'VARIABLE', value: '{{chatId}}' }],
  auth: { type: 'BASIC', username: 'hook-user', password: 'basic-pass-secret' },
  headers: [{ key: 'X-Team', type: 'TEXT', value: 'care' }],
  body: [
    { key: 'conversation.id', type: 'VARIABLE', value: '{{chatId}}' },
    { key: 'tags[]', type: 'TEXT', value: 'sms' },
  ],
  connections: [{ code: 'SMS-A' }],
  ...overrides,
});

describe('integrations', () => {
  it('creates an inactive integration with a response token and a Standard Webhooks signing secret', async () => {
    const created = await acme.post('/v1/integrations', integration());
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      alias: 'Support desk',
      method: 'POST',
      status: 'INACTIVE',
      auth: { type: 'BASIC', username: 'hook-user', password: '********' },
      connections: [{ code: 'SMS-A' }],
    });
    expect(created.body.responseToken).toMatch(/^crt_[A-Za-z0-9_-]{43}$/);
    const secretBytes = Buffer.from(created.body.signingSecret.replace(/^whsec_/, ''), 'base64');
    expect(created.body.signingSecret.startsWith('whsec_')).toBe(true);
    expect(secretBytes.length).toBeGreaterThanOrEqual(24);
    expect(secretBytes.length).toBeLessThanOrEqual(64);

    const stored = await app.models.Integration.findById(created.body.id).lean();
    const storedText = JSON.stringify(stored);
    for (const secret of ['basic-pass-secret', created.body.responseToken, created.body.signingSecret]) {
      expect(storedText).not.toContain(secret);
    }
    expect(app.runtime.secretBox.open(stored!.responseTokenSealed)).toBe(created.body.responseToken);

    const got = await acme.get(`/v1/integrations/${created.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).not.toHaveProperty('responseToken');
    expect(got.body).not.toHaveProperty('signingSecret');
    expect(JSON.stringify(got.body)).not.toContain('basic-pass-secret');
  });

  it('applies the default body when body is omitted, and none for GET', async () => {
    const post = await acme.post('/v1/integrations', integration({ body: undefined }));
    expect(post.body.body).toEqual(DEFAULT_BODY);
    const get = await acme.post('/v1/integrations', integration({ method: 'GET', body: undefined }));
    expect(get.status).toBe(201);
    expect(get.body.body).toEqual([]);
    const getEmpty = await acme.post('/v1/integrations', integration({ method: 'GET', body: [] }));
    expect(getEmpty.status).toBe(201);
  });

  it('rejects GET with a body, bad variables, contradicting keys, bad URLs and methods, naming the fields', async () => {
    const getWithBody = await acme.post('/v1/integrations', integration({ method: 'GET' }));
    expect(getWithBody.status).toBe(400);
    expect(getWithBody.body.error.fields).toEqual([{ path: 'body', message: expect.stringContaining('GET') }]);

    const badVariable = await acme.post(
      '/v1/integrations',
      integration({ headers: [{ key: 'X', type: 'VARIABLE', value: '{{secret}}' }] }),
    );
    expect(badVariable.status).toBe(400);
    expect(badVariable.body.error.fields[0]).toMatchObject({
      path: 'headers.0.value',
      message: expect.stringContaining('{{chatId}}'),
    });

    const contradiction = await acme.post(
      '/v1/integrations',
      integration({
        body: [
          { key: 'a', type: 'TEXT', value: 'x' },
          { key: 'a.b', type: 'TEXT', value: 'y' },
        ],
      }),
    );
    // Keys that contradict each other are a rule between rows no schema states: 422.
    expect(contradiction.status).toBe(422);
    expect(contradiction.body.error.code).toBe('BODY_KEY_CONFLICT');
    expect(contradiction.body.error.fields).toEqual([{ path: 'body.1.key', message: expect.stringContaining('"a"') }]);

    for (const url of ['ftp://client.example/x', '/relative/path', 'https://user:pass@client.example/', 'not a url']) {
      const response = await acme.post('/v1/integrations', integration({ url }));
      expect(response.status, url).toBe(400);
      expect(
        response.body.error.fields.map((field: { path: string }) => field.path),
        url,
      ).toEqual(['url']);
    }
    const method = await acme.post('/v1/integrations', integration({ method: 'PATCH' }));
    expect(method.body.error.fields[0].path).toBe('method');
    const alias = await acme.post('/v1/integrations', integration({ alias: 'x'.repeat(101) }));
    expect(alias.body.error.fields[0].path).toBe('alias');
  });

  it('requires each auth secret on create and validates auth types', async () => {
    // Nothing is stored to keep on create: the secret is part of the published schema.
    const missing = await acme.post('/v1/integrations', integration({ auth: { type: 'BEARER' } }));
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ code: 'VALIDATION_ERROR', fields: [{ path: 'auth.token' }] });
    const masked = await acme.post('/v1/integrations', integration({ auth: { type: 'BEARER', token: '********' } }));
    expect(masked.status).toBe(400);
    expect(masked.body.error.fields).toEqual([
      { path: 'auth.token', message: expect.stringContaining('none is stored') },
    ]);
    const unknown = await acme.post('/v1/integrations', integration({ auth: { type: 'OAUTH' } }));
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.fields[0].path).toBe('auth.type');
    const apiKey = await acme.post(
      '/v1/integrations',
      integration({ auth: { type: 'API_KEY', key: 'X-Api-Key', value: 'k-secret', in: 'query' } }),
    );
    expect(apiKey.status).toBe(201);
    expect(apiKey.body.auth).toEqual({ type: 'API_KEY', key: 'X-Api-Key', value: '********', in: 'query' });
  });

  it('only lists connections of the tenant', async () => {
    const response = await acme.post(
      '/v1/integrations',
      integration({ connections: [{ code: 'SMS-A' }, { code: 'SMS-G' }, { code: 'NOPE' }] }),
    );
    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('UNKNOWN_CONNECTION');
    expect(response.body.error.fields.map((field: { path: string }) => field.path)).toEqual([
      'connections.1.code',
      'connections.2.code',
    ]);
    const twice = await acme.post(
      '/v1/integrations',
      integration({ connections: [{ code: 'SMS-A' }, { code: 'SMS-A' }] }),
    );
    expect(twice.body.error.fields[0].path).toBe('connections.1.code');
  });

  it('replaces editable fields on PUT and keeps secrets left out or sent back masked', async () => {
    const created = await acme.post('/v1/integrations', integration());
    const id = created.body.id;
    const { body: fetched } = await acme.get(`/v1/integrations/${id}`);
    const masked = await acme.put(`/v1/integrations/${id}`, {
      alias: 'Renamed',
      method: fetched.method,
      url: fetched.url,
      params: fetched.params,
      auth: fetched.auth,
      headers: [],
      body: fetched.body,
      connections: [{ code: 'SMS-A' }, { code: 'WA-A' }],
    });
    expect(masked.status).toBe(200);
    expect(masked.body).toMatchObject({
      alias: 'Renamed',
      headers: [],
      connections: [{ code: 'SMS-A' }, { code: 'WA-A' }],
    });
    let stored = await app.models.Integration.findById(id).lean();
    expect(app.runtime.secretBox.open(stored!.auth.secretSealed!)).toBe('basic-pass-secret');

    const omitted = await acme.put(
      `/v1/integrations/${id}`,
      integration({ auth: { type: 'BASIC', username: 'other' } }),
    );
    expect(omitted.status).toBe(200);
    stored = await app.models.Integration.findById(id).lean();
    expect(stored!.auth.username).toBe('other');
    expect(app.runtime.secretBox.open(stored!.auth.secretSealed!)).toBe('basic-pass-secret');

    // Whether a secret may be left out depends on what is stored: a schema-valid body, so a 422.
    const switched = await acme.put(`/v1/integrations/${id}`, integration({ auth: { type: 'BEARER' } }));
    expect(switched.status).toBe(422);
    expect(switched.body.error).toMatchObject({ code: 'SECRET_REQUIRED', fields: [{ path: 'auth.token' }] });
    // The case schemathesis found: an API_KEY with no value, and none stored to keep.
    const noKey = await acme.put(
      `/v1/integrations/${id}`,
      integration({ auth: { type: 'API_KEY', key: 'X-Api-Key', in: 'header' } }),
    );
    expect(noKey.status).toBe(422);
    expect(noKey.body.error).toMatchObject({ code: 'SECRET_REQUIRED', fields: [{ path: 'auth.value' }] });

    const changed = await acme.put(
      `/v1/integrations/${id}`,
      integration({ auth: { type: 'BEARER', token: 'new-token' } }),
    );
    expect(changed.status).toBe(200);
    stored = await app.models.Integration.findById(id).lean();
    expect(app.runtime.secretBox.open(stored!.auth.secretSealed!)).toBe('new-token');
  });

  it('guards active integrations: connections fixed, no delete', async () => {
    const created = await acme.post('/v1/integrations', integration());
    const id = created.body.id;
    await app.models.Integration.updateOne({ _id: id }, { $set: { status: 'ACTIVE' } });
    const change = await acme.put(`/v1/integrations/${id}`, integration({ connections: [{ code: 'WA-A' }] }));
    expect(change.status).toBe(409);
    expect(change.body.error.code).toBe('INTEGRATION_ACTIVE');
    const same = await acme.put(
      `/v1/integrations/${id}`,
      integration({ alias: 'Still active', connections: [{ code: 'SMS-A' }] }),
    );
    expect(same.status).toBe(200);
    expect(same.body.alias).toBe('Still active');
    const remove = await acme.delete(`/v1/integrations/${id}`);
    expect(remove.status).toBe(409);
    expect(remove.body.error.code).toBe('INTEGRATION_ACTIVE');
    await app.models.Integration.updateOne({ _id: id }, { $set: { status: 'INACTIVE' } });
    expect((await acme.delete(`/v1/integrations/${id}`)).status).toBe(204);
    expect((await acme.get(`/v1/integrations/${id}`)).status).toBe(404);
  });

  it('answers another tenant 404 on get, put and delete', async () => {
    const created = await acme.post('/v1/integrations', integration());
    const id = created.body.id;
    expect((await globex.get(`/v1/integrations/${id}`)).status).toBe(404);
    expect((await globex.put(`/v1/integrations/${id}`, integration({ connections: [] }))).status).toBe(404);
    expect((await globex.delete(`/v1/integrations/${id}`)).status).toBe(404);
    expect((await acme.get(`/v1/integrations/${id}`)).body.alias).toBe('Support desk');
    expect((await globex.get('/v1/integrations/not-an-id')).status).toBe(404);
  });
});
