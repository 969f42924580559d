import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, apiClient, startTestApp, type ApiClient, type TestApp } from '../support/harness.js';

let app: TestApp;
let acme: ApiClient;
let acmeId: string;
let globex: ApiClient;
let globexId: string;
let operator: ApiClient;
beforeAll(async () => {
  app = await startTestApp();
  ({ client: acme, id: acmeId } = await app.tenant('Acme'));
  ({ client: globex, id: globexId } = await app.tenant('Globex'));
  operator = apiClient(app.baseUrl, ADMIN_KEY);
});
afterAll(async () => {
  await app.close();
});

const smsConnection = (code: string, senders = ['141518', 'COMPANY']) => ({
  code,
  channel: 'SMS',
  senders,
  carrier: { type: 'http', url: 'https://carrier.example/send', secret: 'carrier-secret-value' },
});

const sandbox = (code: string, senders = ['141518']) => ({
  code,
  channel: 'SMS',
  senders,
  carrier: { type: 'sandbox' },
});

describe('connections', () => {
  it('the operator provisions, the tenant lists and gets, the operator deletes; the carrier secret is shown once', async () => {
    const created = await operator.post(`/v1/tenants/${acmeId}/connections`, smsConnection('AWSexample121218'));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: 'AWSexample121218',
      code: 'AWSexample121218',
      channel: 'SMS',
      senders: ['141518', 'COMPANY'],
      carrier: { type: 'http', url: 'https://carrier.example/send', secretSet: true },
      label: 'SMS - AWSexample121218',
      carrierSecret: 'carrier-secret-value',
    });
    const stored = await app.models.Connection.findOne({ code: 'AWSexample121218' }).lean();
    expect(JSON.stringify(stored)).not.toContain('carrier-secret-value');
    expect(app.runtime.secretBox.open(stored!.carrier.secretSealed!)).toBe('carrier-secret-value');

    const got = await acme.get('/v1/connections/AWSexample121218');
    const { carrierSecret: _shownOnce, ...listed } = created.body;
    expect(got.body).toEqual(listed);
    expect(JSON.stringify(got.body)).not.toContain('carrier-secret-value');
    expect(JSON.stringify((await acme.get('/v1/connections')).body)).not.toContain('carrier-secret-value');
    const refused = await acme.delete('/v1/connections/AWSexample121218');
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('OPERATOR_ONLY');
    expect((await operator.delete(`/v1/tenants/${globexId}/connections/AWSexample121218`)).status).toBe(404);
    expect((await operator.delete(`/v1/tenants/${acmeId}/connections/AWSexample121218`)).status).toBe(204);
    expect((await acme.get('/v1/connections/AWSexample121218')).status).toBe(404);
    // Its senders are free again: another tenant may be provisioned with them.
    expect((await operator.post(`/v1/tenants/${globexId}/connections`, smsConnection('GLOBEX-AFTER'))).status).toBe(
      201,
    );
    expect((await operator.delete(`/v1/tenants/${globexId}/connections/GLOBEX-AFTER`)).status).toBe(204);
  });

  it('tenants create and delete sandbox connections; a generated carrier secret is shown once', async () => {
    const created = await acme.post('/v1/connections', sandbox('SB-OWN'));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      code: 'SB-OWN',
      carrier: { type: 'sandbox', secretSet: true },
      carrierSecret: expect.stringMatching(/^csk_[A-Za-z0-9_-]{43}$/),
    });
    const got = await acme.get('/v1/connections/SB-OWN');
    expect(got.body.carrier).toEqual({ type: 'sandbox', secretSet: true });
    expect(JSON.stringify(got.body)).not.toContain(created.body.carrierSecret);
    const other = await acme.post('/v1/connections', sandbox('SB-OWN-2'));
    expect(other.body.carrierSecret).not.toBe(created.body.carrierSecret);
    expect((await acme.delete('/v1/connections/SB-OWN')).status).toBe(204);
  });

  it('provisioning needs the root key and a tenant that exists', async () => {
    expect((await acme.post(`/v1/tenants/${acmeId}/connections`, smsConnection('NOT-ROOT'))).status).toBe(401);
    expect((await acme.delete(`/v1/tenants/${acmeId}/connections/NOT-ROOT`)).status).toBe(401);
    expect(
      (await operator.post('/v1/tenants/000000000000000000000000/connections', smsConnection('NO-TENANT'))).status,
    ).toBe(404);
    expect((await operator.post('/v1/tenants/not-an-id/connections', smsConnection('NO-TENANT'))).status).toBe(404);
    expect((await operator.delete('/v1/tenants/not-an-id/connections/NO-TENANT')).status).toBe(404);
  });

  it('refuses a carrier secret under 16 characters: 400 VALIDATION_ERROR naming carrier.secret', async () => {
    for (const secret of ['short', 'x'.repeat(15)]) {
      const connection = smsConnection('SHORT-SECRET', ['SHORTSEC']);
      const answer = await operator.post(`/v1/tenants/${acmeId}/connections`, {
        ...connection,
        carrier: { ...connection.carrier, secret },
      });
      expect(answer.status, secret).toBe(400);
      expect(answer.body.error.code).toBe('VALIDATION_ERROR');
      expect(answer.body.error.fields.map((field: { path: string }) => field.path)).toContain('carrier.secret');
    }
    const sixteen = smsConnection('SIXTEEN-SECRET', ['SIXTEENSEC']);
    const accepted = await operator.post(`/v1/tenants/${acmeId}/connections`, {
      ...sixteen,
      carrier: { ...sixteen.carrier, secret: 'x'.repeat(16) },
    });
    expect(accepted.status).toBe(201);
    expect((await operator.delete(`/v1/tenants/${acmeId}/connections/SIXTEEN-SECRET`)).status).toBe(204);
  });

  it('keeps codes unique platform-wide: 409 CONNECTION_CODE_TAKEN, even for another tenant', async () => {
    expect((await acme.post('/v1/connections', sandbox('SHARED1'))).status).toBe(201);
    const again = await globex.post('/v1/connections', sandbox('SHARED1'));
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('CONNECTION_CODE_TAKEN');
    const provisioned = await operator.post(
      `/v1/tenants/${globexId}/connections`,
      smsConnection('SHARED1', ['5491100000555']),
    );
    expect(provisioned.status).toBe(409);
    expect(provisioned.body.error.code).toBe('CONNECTION_CODE_TAKEN');
    // The refused provisioning owns nothing: the sender is still free for anyone.
    expect(
      (await operator.post(`/v1/tenants/${acmeId}/connections`, smsConnection('SHARED1-OK', ['5491100000555']))).status,
    ).toBe(201);
  });

  it('answers another tenant 404 and never its data', async () => {
    await acme.post('/v1/connections', sandbox('ACME-ONLY'));
    const response = await globex.get('/v1/connections/ACME-ONLY');
    expect(response.status).toBe(404);
    expect(JSON.stringify(response.body)).not.toContain('141518');
    expect((await globex.delete('/v1/connections/ACME-ONLY')).status).toBe(404);
    const list = await globex.get('/v1/connections');
    expect(list.body.items.map((item: { code: string }) => item.code)).not.toContain('ACME-ONLY');
  });

  it('validates channel-specific senders and the carrier', async () => {
    const bad = await operator.post(`/v1/tenants/${acmeId}/connections`, {
      code: 'WA1',
      channel: 'WHATSAPP',
      senders: ['+584123149352', '584123149352', '584123149352'],
      carrier: { type: 'http', url: 'not a url' },
    });
    expect(bad.status).toBe(400);
    const paths = bad.body.error.fields.map((field: { path: string }) => field.path).sort();
    expect(paths).toEqual(['carrier.url', 'senders.0', 'senders.2']);
    const senders = await acme.post('/v1/connections', {
      code: 'WA1',
      channel: 'WHATSAPP',
      senders: ['+584123149352', '584123149352', '584123149352'],
      carrier: { type: 'sandbox' },
    });
    expect(senders.body.error.fields.map((field: { path: string }) => field.path)).toEqual(['senders.0', 'senders.2']);
    const sms = await acme.post('/v1/connections', { ...sandbox('SMS-BAD'), senders: ['TOOLONGALPHA1', '123'] });
    expect(sms.body.error.fields.map((field: { path: string }) => field.path)).toEqual(['senders.0']);
  });

  it('paginates with a cursor and validates limit', async () => {
    const tenant = (await app.tenant('Paged')).client;
    for (let index = 0; index < 5; index += 1) {
      expect(
        (
          await tenant.post('/v1/connections', {
            code: `PAGE${index}`,
            channel: 'SMS',
            senders: [`90${index}`],
            carrier: { type: 'sandbox' },
          })
        ).status,
      ).toBe(201);
    }
    const first = await tenant.get('/v1/connections?limit=2');
    expect(first.body.items.map((item: { code: string }) => item.code)).toEqual(['PAGE0', 'PAGE1']);
    const second = await tenant.get(`/v1/connections?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((item: { code: string }) => item.code)).toEqual(['PAGE2', 'PAGE3']);
    const third = await tenant.get(`/v1/connections?limit=2&cursor=${second.body.nextCursor}`);
    expect(third.body).toMatchObject({ items: [{ code: 'PAGE4' }], nextCursor: null });
    for (const query of ['limit=0', 'limit=501', 'limit=abc', 'cursor=zzz']) {
      const response = await tenant.get(`/v1/connections?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.body.error.code).toBe('VALIDATION_ERROR');
    }
    expect((await tenant.get('/v1/connections?limit=500')).status).toBe(200);
  });

  it('refuses to delete a connection an integration lists: 409 CONNECTION_IN_USE', async () => {
    await acme.post('/v1/connections', sandbox('USED1', ['777']));
    const integration = await acme.post('/v1/integrations', {
      alias: 'Uses USED1',
      method: 'POST',
      url: 'https://client.example/hook',
      connections: [{ code: 'USED1' }],
    });
    expect(integration.status).toBe(201);
    const response = await acme.delete('/v1/connections/USED1');
    expect(response.status).toBe(409);
    expect(response.body.error).toMatchObject({
      code: 'CONNECTION_IN_USE',
      integrations: [{ id: integration.body.id, alias: 'Uses USED1' }],
    });
  });
});

describe('sender reservations', () => {
  it('creates, lists and deletes reservations, scoped to the tenant', async () => {
    const created = await acme.post('/v1/reservations', {
      channel: 'SMS',
      sender: '141518',
      feature: 'AUTO_REPLY',
      label: 'Welcome',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ channel: 'SMS', sender: '141518', feature: 'AUTO_REPLY', label: 'Welcome' });
    expect((await acme.get('/v1/reservations')).body.items).toHaveLength(1);
    expect((await globex.get('/v1/reservations')).body.items).toHaveLength(0);
    expect((await globex.delete(`/v1/reservations/${created.body.id}`)).status).toBe(404);
    expect((await acme.get(`/v1/reservations/${created.body.id}`)).status).toBe(200);
    expect((await acme.delete(`/v1/reservations/${created.body.id}`)).status).toBe(204);
    expect((await acme.delete(`/v1/reservations/${created.body.id}`)).status).toBe(404);
    expect((await acme.delete('/v1/reservations/not-an-id')).status).toBe(404);
  });

  it("takes only senders of the tenant's own connections on that channel: 422 UNKNOWN_SENDER", async () => {
    await acme.post('/v1/connections', sandbox('RES-OWN', ['4321']));
    expect(
      (await acme.post('/v1/reservations', { channel: 'SMS', sender: '4321', feature: 'AUTO_REPLY' })).status,
    ).toBe(201);
    for (const [client, channel, sender] of [
      [globex, 'SMS', '4321'],
      [acme, 'WHATSAPP', '5491100000321'],
      [acme, 'SMS', '9999'],
    ] as const) {
      const refused = await client.post('/v1/reservations', { channel, sender, feature: 'AUTO_REPLY' });
      expect(refused.status, sender).toBe(422);
      expect(refused.body.error).toMatchObject({ code: 'UNKNOWN_SENDER', fields: [{ path: 'sender' }] });
    }
  });

  it('validates the feature', async () => {
    const response = await acme.post('/v1/reservations', { channel: 'SMS', sender: '1', feature: 'CHATBOT' });
    expect(response.status).toBe(400);
    expect(response.body.error.fields[0].path).toBe('feature');
  });
});
