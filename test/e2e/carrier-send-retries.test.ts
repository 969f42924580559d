/**
 * Carrier outbound (SPEC section 5, last paragraph): a reply accepted by the response webhook is
 * POSTed to the connection's `http` carrier; `429`, `5xx` and network errors are retried with the
 * same `id`, any other `4xx` fails the reply permanently at once and is recorded, and the chat
 * goes on: its next reply is sent and its next inbound message delivered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, startTestApp, type ApiClient, type TestApp } from '../support/harness.js';
import { uniqueSender } from '../support/fixtures.js';
import { startHttpPeer, type HttpPeer, type ReceivedRequest } from '../support/http-peer.js';

let app: TestApp;
let acme: ApiClient;
let acmeId: string;
let receiver: HttpPeer;
let carrier: HttpPeer;
/** What the carrier answers each reply text, in order; the last status repeats. */
const script = new Map<string, number[]>();

beforeAll(async () => {
  app = await startTestApp({ worker: true, env: { DELIVERY_RETRY_INITIAL: '200ms' } });
  ({ client: acme, id: acmeId } = await app.tenant('Acme'));
  receiver = await startHttpPeer();
  carrier = await startHttpPeer({ status: 202 });
  carrier.respondWith((request) => {
    const statuses = script.get((JSON.parse(request.body) as { text: string }).text);
    if (!statuses) return undefined;
    return { status: statuses.length > 1 ? statuses.shift()! : statuses[0]! };
  });
});
afterAll(async () => {
  await app.close();
  await receiver.close();
  await carrier.close();
});

let sequence = 0;

/** An active integration on its own http connection, with one open chat for `contact`. */
async function openChat(contact: string) {
  sequence += 1;
  const code = `CARRIER-MT-${sequence}`;
  const sender = uniqueSender();
  const connection = await app.provisionConnection(acmeId, {
    code,
    channel: 'SMS',
    senders: [sender],
    carrier: { type: 'http', url: `${carrier.url}/${code}`, secret: `carrier-secret-${code}` },
  });
  const created = await acme.post('/v1/integrations', {
    alias: code,
    method: 'POST',
    url: `${receiver.url}/${code}`,
    connections: [{ code }],
  });
  expect(created.status).toBe(201);
  expect((await acme.post(`/v1/integrations/${created.body.id}/start`)).status).toBe(200);
  const carrierClient = apiClient(app.baseUrl, connection.carrierSecret);
  const inbound = (messageId: string, text: string) =>
    carrierClient.post(`/carriers/${code}/inbound`, { messageId, from: contact, to: sender, text });
  const opened = await inbound(`${code}-open`, 'hello');
  expect(opened.status).toBe(202);
  const mt = apiClient(app.baseUrl, created.body.responseToken);
  return {
    code,
    sender,
    chatId: opened.body.chatId as string,
    inbound,
    reply: (msg: string) =>
      mt.post(`/integrations/live-chat/${created.body.id}/chats/${contact}/events`, {
        type: 'MESSAGE',
        channel: { type: 'SMS', route: sender, connection: code },
        msg,
      }),
    /** The carrier's requests for this connection, as sent. */
    sent: () => carrier.received.filter((request) => request.url === `/${code}`),
    delivered: () =>
      receiver.received
        .filter((request) => request.url === `/${code}`)
        .map((request) => JSON.parse(request.body).text as string),
  };
}

const bodyOf = (request: ReceivedRequest) => JSON.parse(request.body) as { id: string; text: string };
const recorded = (eventId: string) => app.models.OutboundMessage.findOne({ eventId }).lean();

describe('carrier sends (MT)', () => {
  it(
    'retries 429 and 503 with the same id until the carrier takes it, and sends the next reply only after it',
    { timeout: 90_000 },
    async () => {
      const chat = await openChat('5491100000901');
      script.set('retried reply', [429, 503, 200]);
      const first = await chat.reply('retried reply');
      expect(first.status).toBe(202);
      const second = await chat.reply('queued behind it');
      expect(second.status).toBe(202);

      // 2 s then 4 s of backoff (CARRIER_SEND_ACTIVITY_OPTIONS); the bound is a timeout only.
      await expect.poll(() => chat.sent().length, { timeout: 60_000, interval: 200 }).toBe(4);
      const sent = chat.sent();
      expect(sent.map((request) => [bodyOf(request).text, bodyOf(request).id])).toEqual([
        ['retried reply', first.body.eventId],
        ['retried reply', first.body.eventId],
        ['retried reply', first.body.eventId],
        ['queued behind it', second.body.eventId],
      ]);
      // Every retry is the same request: same body, same carrier secret.
      expect(new Set(sent.slice(0, 3).map((request) => request.body)).size).toBe(1);
      expect(sent.every((request) => request.headers.authorization === `Bearer carrier-secret-${chat.code}`)).toBe(
        true,
      );
      await expect
        .poll(() => recorded(first.body.eventId), { timeout: 10_000 })
        .toMatchObject({ status: 'SENT', error: null, carrierType: 'http', to: '5491100000901', from: chat.sender });
      await expect.poll(() => recorded(second.body.eventId), { timeout: 10_000 }).toMatchObject({ status: 'SENT' });
    },
  );

  it.each([400, 408])(
    'fails a reply the carrier answers %i at once, records it FAILED, and the chat goes on',
    { timeout: 60_000 },
    async (status) => {
      const contact = `549110000091${status === 400 ? 0 : 1}`;
      const chat = await openChat(contact);
      const refusedText = `refused with ${status}`;
      script.set(refusedText, [status]);
      const refused = await chat.reply(refusedText);
      expect(refused.status).toBe(202);
      await expect
        .poll(() => recorded(refused.body.eventId), { timeout: 20_000 })
        .toMatchObject({ status: 'FAILED', error: `the carrier answered ${status}` });

      // The next reply goes out, and replies leave one at a time in order: once it has been sent,
      // the refused one can no longer be retried, so one request for it means it was never retried.
      const next = await chat.reply(`after ${status}`);
      expect(next.status).toBe(202);
      await expect
        .poll(() => chat.sent().map((request) => bodyOf(request).text), { timeout: 20_000 })
        .toEqual([refusedText, `after ${status}`]);
      await expect.poll(() => recorded(next.body.eventId), { timeout: 10_000 }).toMatchObject({ status: 'SENT' });
      expect(bodyOf(chat.sent()[0]!).id).toBe(refused.body.eventId);

      // The chat is still open: the contact writes again, into the same chat, and it is delivered.
      const again = await chat.inbound(`${chat.code}-again`, 'are you there?');
      expect(again.status).toBe(202);
      expect(again.body.chatId).toBe(chat.chatId);
      await expect.poll(chat.delivered, { timeout: 20_000 }).toEqual(['hello', 'are you there?']);
    },
  );
});
