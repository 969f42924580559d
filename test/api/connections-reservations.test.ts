import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type ApiClient, type TestApp } from '../support/harness.js';

let app: TestApp;
let acme: ApiClient;
let globex: ApiClient;
beforeAll(async () => {
  app = await startTestApp();
  acme = (await app.tenant('Acme')).client;
  globex = (await app.tenant('Globex')).client;
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

describe('connections', () => {
  it('creates, lists, gets and deletes a connection without ever returning the carrier secret', async () => {
    const created = await acme.post('/v1/connections', smsConnection('AWSexample121218'));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: 'AWSexample121218',
      code: 'AWSexample121218',
      channel: 'SMS',
      senders: ['141518', 'COMPANY'],
      carrier: { type: 'http', url: 'https://carrier.example/send', secretSet: true },
      label: 'SMS - AWSexample121218',
    });
    expect(JSON.stringify(created.body)).not.toContain('carrier-secret-value');
    const stored = await app.services.models.Connection.findOne({ code: 'AWSexample121218' }).lean();
    expect(JSON.stringify(stored)).not.toContain('carrier-secret-value');
    expect(app.services.secretBox.open(stored!.carrier.secretSealed!)).toBe('carrier-secret-value');

    const got = await acme.get('/v1/connections/AWSexample121218');
    expect(got.body).toEqual(created.body);
    expect((await acme.delete('/v1/connections/AWSexample121218')).status).toBe(204);
    expect((await acme.get('/v1/connections/AWSexample121218')).status).toBe(404);
  });

  it('keeps codes unique platform-wide: 409 CONNECTION_CODE_TAKEN, even for another tenant', async () => {
    expect((await acme.post('/v1/connections', smsConnection('SHARED1'))).status).toBe(201);
    const again = await globex.post('/v1/connections', smsConnection('SHARED1'));
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('CONNECTION_CODE_TAKEN');
  });

  it('answers another tenant 404 and never its data', async () => {
    await acme.post('/v1/connections', smsConnection('ACME-ONLY'));
    const response = await globex.get('/v1/connections/ACME-ONLY');
    expect(response.status).toBe(404);
    expect(JSON.stringify(response.body)).not.toContain('141518');
    expect((await globex.delete('/v1/connections/ACME-ONLY')).status).toBe(404);
    const list = await globex.get('/v1/connections');
    expect(list.body.items.map((item: { code: string }) => item.code)).not.toContain('ACME-ONLY');
  });

  it('validates channel-specific senders and the carrier', async () => {
    const bad = await acme.post('/v1/connections', {
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
    const sms = await acme.post('/v1/connections', { ...smsConnection('SMS-BAD'), senders: ['TOOLONGALPHA1', '123'] });
    expect(sms.body.error.fields.map((field: { path: string }) => field.path)).toEqual(['senders.0']);
  });

  it('paginates with a cursor and validates limit', async () => {
    const tenant = (await app.tenant('Paged')).client;
    for (let index = 0; index < 5; index += 1) {
      expect((await tenant.post('/v1/connections', { code: `PAGE${index}`, channel: 'SMS', senders: [`90${index}`], carrier: { type: 'sandbox' } })).status).toBe(201);
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
    await acme.post('/v1/connections', smsConnection('USED1', ['777']));
    const integration = await acme.post('/v1/integrations', {
      alias: 'Uses USED1',
      method: 'POST',
      url: 'https://client.example/hook',
      connections: [{ code: 'USED1' }],
    });
    expect(integration.status).toBe(201);
    const response = await acme.delete('/v1/connections/USED1');
    expect(response.status).toBe(409);
    expect(response.body.error).toMatchObject({ code: 'CONNECTION_IN_USE', integrations: [{ id: integration.body.id, alias: 'Uses USED1' }] });
  });
});

describe('sender reservations', () => {
  it('creates, lists and deletes reservations, scoped to the tenant', async () => {
    const created = await acme.post('/v1/reservations', { channel: 'SMS', sender: '141518', feature: 'AUTO_REPLY', label: 'Welcome' });
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

  it('validates the feature', async () => {
    const response = await acme.post('/v1/reservations', { channel: 'SMS', sender: '1', feature: 'CHATBOT' });
    expect(response.status).toBe(400);
    expect(response.body.error.fields[0].path).toBe('feature');
  });
});
