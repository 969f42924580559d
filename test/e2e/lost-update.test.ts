/**
 * An inbound message whose first acceptance wrote its rows (receipt, delivery, payload) but whose
 * update never became durable — the worker or Temporal died before the workflow task completed —
 * must not be lost when the carrier retries it: the chat queues that same delivery (same
 * webhook-id). Found by the chaos harness's "SIGTERM to everything" row; here the lost update is
 * reproduced by writing the rows exactly as the update's local activity does, without the update.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { carrierOf, createConnection, uniqueSender } from '../support/fixtures.js';
import { startTestApp, type ApiClient, type TestApp } from '../support/harness.js';
import { startHttpPeer, type HttpPeer } from '../support/http-peer.js';

let app: TestApp;
let acme: ApiClient;
let receiver: HttpPeer;

beforeAll(async () => {
  app = await startTestApp({ worker: true });
  acme = (await app.tenant('Acme')).client;
  receiver = await startHttpPeer();
});
afterAll(async () => {
  await app?.close();
  await receiver?.close();
});

describe('a carrier retry of a message whose accepting update was lost', () => {
  it('is queued by the chat with the delivery its lost update wrote, delivered once', { timeout: 60_000 }, async () => {
    const code = 'LOST-1';
    const sender = uniqueSender();
    const carrier = carrierOf(app.baseUrl, await createConnection(acme, code, [sender]));
    const created = await acme.post('/v1/integrations', { alias: code, method: 'POST', url: `${receiver.url}/hook`, connections: [{ code }] });
    expect(created.status).toBe(201);
    const integrationId = created.body.id as string;
    expect((await acme.post(`/v1/integrations/${integrationId}/start`)).status).toBe(200);
    const contact = '5491100000801';

    const opened = await carrier.post(`/carriers/${code}/inbound`, { messageId: 'lost-0', from: contact, to: sender, text: 'first' });
    expect(opened.status).toBe(202);
    const chatId = opened.body.chatId as string;
    await expect.poll(() => receiver.received.length, { timeout: 20_000 }).toBe(1);

    // What the lost update's local activity left behind: rows for this chat, never queued by it.
    const { acceptInboundEvent } = createActivities(app.services);
    const orphanId = 'msg_0000000000000000000000000000lost';
    const message = { messageId: 'lost-1', connectionCode: code, sender, channel: 'SMS' as const, text: 'second', media: null, timestamp: new Date().toISOString() };
    expect(await acceptInboundEvent({ deliveryId: orphanId, tenantId: (await app.services.models.Integration.findById(integrationId).lean())!.tenantId.toHexString(), integrationId, chatId, contact, message, acceptedAt: new Date().toISOString() })).toEqual({ duplicateOf: null });

    const retried = await carrier.post(`/carriers/${code}/inbound`, { messageId: 'lost-1', from: contact, to: sender, text: 'second' });
    expect(retried.status).toBe(202);
    expect(retried.body).toEqual({ chatId });

    await expect.poll(() => receiver.received.length, { timeout: 20_000 }).toBe(2);
    const second = receiver.received[1]!;
    expect(second.headers['webhook-id']).toBe(orphanId);
    expect(JSON.parse(second.body)).toMatchObject({ chatId, text: 'second' });

    // A further retry is a duplicate now, and nothing goes out twice.
    const again = await carrier.post(`/carriers/${code}/inbound`, { messageId: 'lost-1', from: contact, to: sender, text: 'second' });
    expect(again.body).toEqual({ chatId, duplicate: true });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(receiver.received).toHaveLength(2);
  });
});
