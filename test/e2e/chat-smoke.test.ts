import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, startTestApp, type ApiClient, type TestApp } from '../support/harness.js';
import { createConnection, uniqueSender } from '../support/fixtures.js';
import { startHttpPeer, type HttpPeer } from '../support/http-peer.js';

let app: TestApp;
let acme: ApiClient;
let acmeId: string;
let receiver: HttpPeer;
let carrier: HttpPeer;

beforeAll(async () => {
  app = await startTestApp({
    worker: true,
    env: { DELIVERY_RETRY_INITIAL: '200ms', DELIVERY_RETRY_MAX_INTERVAL: '2s' },
  });
  ({ client: acme, id: acmeId } = await app.tenant('Acme'));
  receiver = await startHttpPeer();
  carrier = await startHttpPeer({ status: 202 });
});
afterAll(async () => {
  await app.close();
  await receiver.close();
  await carrier.close();
});

describe('chat smoke', () => {
  it('delivers an inbound message signed, accepts a reply, sends it through the carrier and ends', async () => {
    const sender = uniqueSender();
    const connection = await app.provisionConnection(acmeId, {
      code: 'SMOKE',
      channel: 'SMS',
      senders: [sender],
      carrier: { type: 'http', url: `${carrier.url}/send`, secret: 'carrier-secret-value' },
    });
    expect(connection.carrierSecret).toBe('carrier-secret-value');
    const integration = await acme.post('/v1/integrations', {
      alias: 'Smoke',
      method: 'POST',
      url: `${receiver.url}/hook`,
      connections: [{ code: 'SMOKE' }],
    });
    expect((await acme.post(`/v1/integrations/${integration.body.id}/start`)).status).toBe(200);

    const carrierClient = apiClient(app.baseUrl, 'carrier-secret-value');
    const inbound = await carrierClient.post('/carriers/SMOKE/inbound', {
      messageId: 'm1',
      from: '5491100000001',
      to: sender,
      text: 'hola',
    });
    expect(inbound.status).toBe(202);
    const [delivered] = await receiver.waitFor(1);
    const payload = new Webhook(integration.body.signingSecret).verify(
      delivered!.body,
      delivered!.headers as Record<string, string>,
    );
    expect(payload).toEqual({
      chatId: inbound.body.chatId,
      contact: '5491100000001',
      event: 'MESSAGE',
      text: 'hola',
      multimedia: { url: null, caption: null },
    });

    const mt = apiClient(app.baseUrl, integration.body.responseToken);
    const path = `/integrations/live-chat/${integration.body.id}/chats/5491100000001/events`;
    const reply = await mt.post(path, {
      type: 'MESSAGE',
      channel: { type: 'SMS', route: sender, connection: 'SMOKE' },
      msg: 'hi back',
    });
    expect(reply.status).toBe(202);
    expect(reply.body.chatId).toBe(inbound.body.chatId);
    const [sent] = await carrier.waitFor(1);
    expect(JSON.parse(sent!.body)).toEqual({
      id: reply.body.eventId,
      channel: 'SMS',
      connection: 'SMOKE',
      from: sender,
      to: '5491100000001',
      text: 'hi back',
    });
    expect(sent!.headers.authorization).toBe('Bearer carrier-secret-value');

    expect((await mt.post(path, { type: 'END' })).status).toBe(202);
    const [, end] = await receiver.waitFor(2);
    expect(JSON.parse(end!.body)).toMatchObject({ chatId: inbound.body.chatId, event: 'END', text: null });
    expect(
      (
        await mt.post(path, {
          type: 'MESSAGE',
          channel: { type: 'SMS', route: sender, connection: 'SMOKE' },
          msg: 'late',
        })
      ).status,
    ).toBe(404);
  });
});
