import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, startTestApp, type ApiClient, type TestApp } from '../support/harness.js';
import { carrierOf, createConnection, uniqueSender } from '../support/fixtures.js';
import { startHttpPeer, type HttpPeer } from '../support/http-peer.js';

let app: TestApp;
let acme: ApiClient;
let acmeId: string;
let receiver: HttpPeer;
let carrier: HttpPeer;
const WABA = '584123149352';

beforeAll(async () => {
  app = await startTestApp({ worker: true, env: { WHATSAPP_SESSION_WINDOW: '2s', DELIVERY_RETRY_INITIAL: '200ms' } });
  ({ client: acme, id: acmeId } = await app.tenant('Acme'));
  receiver = await startHttpPeer();
  carrier = await startHttpPeer({ status: 202 });
});
afterAll(async () => {
  await app.close();
  await receiver.close();
  await carrier.close();
});

/** A WABA number per test, so no two active integrations compete for one. */
const waSenderOf = (suffix: string) => (suffix === 'a' ? WABA : `58412314936${suffix.charCodeAt(0) % 10}`);

async function setUp(suffix: string) {
  const sms = uniqueSender();
  const otherSms = uniqueSender();
  await app.provisionConnection(acmeId, {
    code: `MT-SMS-${suffix}`,
    channel: 'SMS',
    senders: [sms],
    carrier: { type: 'http', url: `${carrier.url}/sms`, secret: 'carrier-secret-c0' },
  });
  await createConnection(acme, `MT-OTHER-${suffix}`, [otherSms]);
  const whatsapp = await createConnection(acme, `MT-WA-${suffix}`, [waSenderOf(suffix)], 'WHATSAPP');
  const integration = await acme.post('/v1/integrations', {
    alias: `MT ${suffix}`,
    method: 'POST',
    url: `${receiver.url}/mt-${suffix}`,
    connections: [{ code: `MT-SMS-${suffix}` }, { code: `MT-WA-${suffix}` }],
  });
  const started = await acme.post(`/v1/integrations/${integration.body.id}/start`);
  expect(started.body).toMatchObject({ status: 'ACTIVE', partial: false });
  const carrierClient = apiClient(app.baseUrl, 'carrier-secret-c0');
  return {
    integration: integration.body,
    sms,
    otherSms,
    wa: waSenderOf(suffix),
    carrierClient,
    waClient: carrierOf(app.baseUrl, whatsapp),
    suffix,
  };
}

describe('response webhook (MT)', () => {
  it('answers every status of the contract', async () => {
    const { integration, sms, otherSms, carrierClient, suffix } = await setUp('a');
    const contact = '5491100000070';
    const path = `/integrations/live-chat/${integration.id}/chats/${contact}/events`;
    const mt = apiClient(app.baseUrl, integration.responseToken);
    const smsReply = (msg: string, route = sms, connection = `MT-SMS-${suffix}`) => ({
      type: 'MESSAGE',
      channel: { type: 'SMS', route, connection },
      msg,
    });

    expect((await mt.post(path, smsReply('before'))).body.error.code).toBe('CHAT_NOT_FOUND');
    const inbound = await carrierClient.post(`/carriers/MT-SMS-${suffix}/inbound`, {
      messageId: 'a1',
      from: contact,
      to: sms,
      text: 'hi',
    });
    expect(inbound.status).toBe(202);

    const accepted = await mt.post(path, smsReply('hello'));
    expect(accepted.status).toBe(202);
    expect(accepted.body).toEqual({ eventId: expect.any(String), chatId: inbound.body.chatId });

    const otherRoute = await mt.post(path, smsReply('x', otherSms, `MT-OTHER-${suffix}`));
    expect(otherRoute.status).toBe(422);
    expect(otherRoute.body.error.code).toBe('UNKNOWN_SENDER');
    const mismatched = await mt.post(path, smsReply('x', sms, `MT-OTHER-${suffix}`));
    expect(mismatched.status).toBe(422);
    const wrongChannel = await mt.post(path, {
      type: 'MESSAGE',
      channel: { type: 'WHATSAPP', sender: WABA },
      msg: 'x',
    });
    expect(wrongChannel.status).toBe(422);
    expect(wrongChannel.body.error.message).toContain('this chat is on SMS');

    expect((await mt.post(path, { ...smsReply('x'), msg: 'x'.repeat(4097) })).status).toBe(400);
    expect(
      (
        await mt.raw(path, {
          method: 'POST',
          body: JSON.stringify({ ...smsReply('x'), pad: 'x'.repeat(1_100_000) }),
          headers: { 'content-type': 'application/json' },
        })
      ).status,
    ).toBe(413);
    expect((await apiClient(app.baseUrl).post(path, smsReply('x'))).status).toBe(401);
    const other = await acme.post('/v1/integrations', { alias: 'other', method: 'POST', url: `${receiver.url}/x` });
    expect((await apiClient(app.baseUrl, other.body.responseToken).post(path, smsReply('x'))).status).toBe(403);

    const [sent] = await carrier.waitFor(1);
    expect(JSON.parse(sent!.body)).toMatchObject({ id: accepted.body.eventId, text: 'hello', to: contact });

    expect((await acme.post(`/v1/integrations/${integration.id}/stop`)).status).toBe(200);
    const inactive = await mt.post(path, smsReply('x'));
    expect(inactive.status).toBe(409);
    expect(inactive.body.error.code).toBe('INTEGRATION_INACTIVE');
  });

  it('returns the first result for a repeated Idempotency-Key and sends nothing twice', async () => {
    const { integration, sms, carrierClient, suffix } = await setUp('b');
    const contact = '5491100000071';
    const path = `/integrations/live-chat/${integration.id}/chats/${contact}/events`;
    const mt = apiClient(app.baseUrl, integration.responseToken);
    await carrierClient.post(`/carriers/MT-SMS-${suffix}/inbound`, {
      messageId: 'b1',
      from: contact,
      to: sms,
      text: 'hi',
    });
    const before = carrier.received.length;
    const body = JSON.stringify({
      type: 'MESSAGE',
      channel: { type: 'SMS', route: sms, connection: `MT-SMS-${suffix}` },
      msg: 'once only',
    });
    const send = () =>
      mt.raw(path, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', 'idempotency-key': 'key-1' },
      });
    const first = await send();
    const second = await send();
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body).toEqual(first.body);
    await carrier.waitFor(before + 1);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(carrier.received.slice(before).map((request) => JSON.parse(request.body).text)).toEqual(['once only']);
    const reused = await mt.raw(path, {
      method: 'POST',
      body: body.replace('once only', 'other'),
      headers: { 'content-type': 'application/json', 'idempotency-key': 'key-1' },
    });
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('closes the WhatsApp window after WHATSAPP_SESSION_WINDOW and reopens it with a new inbound message', async () => {
    const { integration, wa, waClient, suffix } = await setUp('c');
    const contact = '5491100000072';
    const path = `/integrations/live-chat/${integration.id}/chats/${contact}/events`;
    const mt = apiClient(app.baseUrl, integration.responseToken);
    const reply = { type: 'MESSAGE', channel: { type: 'WHATSAPP', sender: wa }, msg: 'hola' };
    const opened = await waClient.post(`/carriers/MT-WA-${suffix}/inbound`, {
      messageId: 'c1',
      from: contact,
      to: wa,
      text: 'hi',
    });
    expect(opened.status).toBe(202);
    expect((await mt.post(path, reply)).status).toBe(202);
    // The chat row is written by the chat workflow just after the 202.
    const chatNow = async () => (await acme.get(`/v1/integrations/${integration.id}/chats/${contact}`)).body;
    await expect.poll(chatNow, { timeout: 15_000 }).toMatchObject({
      chatId: opened.body.chatId,
      channel: 'WHATSAPP',
      connection: `MT-WA-${suffix}`,
      sender: wa,
      status: 'OPEN',
      windowExpiresAt: expect.any(String),
    });
    const chat = await chatNow();
    expect(Date.parse(chat.windowExpiresAt) - Date.parse(chat.lastInboundAt)).toBe(2_000);
    await new Promise((resolve) => setTimeout(resolve, 2_300));
    const closed = await mt.post(path, reply);
    expect(closed.status).toBe(409);
    expect(closed.body.error.code).toBe('WINDOW_CLOSED');
    const again = await waClient.post(`/carriers/MT-WA-${suffix}/inbound`, {
      messageId: 'c2',
      from: contact,
      to: wa,
      text: 'back',
    });
    expect(again.body.chatId).toBe(opened.body.chatId);
    expect((await mt.post(path, reply)).status).toBe(202);
    // The 202 means the chat accepted the reply; the carrier send runs after it, on the worker.
    const sentToContact = async () =>
      (await acme.get('/v1/sandbox/messages')).body.items.filter((item: { to: string }) => item.to === contact);
    await expect.poll(sentToContact, { timeout: 15_000 }).toHaveLength(2);
  });

  it('ends a chat on END: END delivered, then a new message opens a new chat', async () => {
    const { integration, sms, carrierClient, suffix } = await setUp('d');
    const contact = '5491100000073';
    const path = `/integrations/live-chat/${integration.id}/chats/${contact}/events`;
    const mt = apiClient(app.baseUrl, integration.responseToken);
    const first = await carrierClient.post(`/carriers/MT-SMS-${suffix}/inbound`, {
      messageId: 'd1',
      from: contact,
      to: sms,
      text: 'hi',
    });
    expect((await mt.post(path, { type: 'END' })).status).toBe(202);
    const ends = () =>
      receiver.received.filter(
        (request) => request.url === `/mt-${suffix}` && JSON.parse(request.body).event === 'END',
      );
    await expect.poll(() => ends().length, { timeout: 15_000 }).toBe(1);
    expect(JSON.parse(ends()[0]!.body)).toEqual({
      chatId: first.body.chatId,
      contact,
      event: 'END',
      text: null,
      multimedia: { url: null, caption: null },
    });
    const second = await carrierClient.post(`/carriers/MT-SMS-${suffix}/inbound`, {
      messageId: 'd2',
      from: contact,
      to: sms,
      text: 'again',
    });
    expect(second.status).toBe(202);
    expect(second.body.chatId).not.toBe(first.body.chatId);
    // The first chat recorded its close before it ended; the new chat writes its row just after the 202.
    const chats = await acme.get(`/v1/integrations/${integration.id}/chats?status=CLOSED`);
    expect(chats.body.items.map((chat: { chatId: string }) => chat.chatId)).toContain(first.body.chatId);
    await expect
      .poll(async () => (await acme.get(`/v1/integrations/${integration.id}/chats/${contact}`)).body, {
        timeout: 15_000,
      })
      .toMatchObject({ chatId: second.body.chatId, status: 'OPEN', closedAt: null });
  });
});
