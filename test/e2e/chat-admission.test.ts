/**
 * What a carrier and a client are answered when a chat takes (or cannot take) a message now:
 * repeats of an accepted messageId (across chats), backpressure at CHAT_MAX_PENDING, and one
 * replay series per delivery. Real API, worker, Temporal and database (SPEC sections 3, 4, 6).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, startTestApp, type ApiClient, type TestApp } from '../support/harness.js';
import { carrierOf, createConnection, uniqueSender } from '../support/fixtures.js';
import { startHttpPeer, type HttpPeer } from '../support/http-peer.js';

const MAX_PENDING = 3;
let app: TestApp;
let acme: ApiClient;
let receiver: HttpPeer;
let sequence = 0;

beforeAll(async () => {
  app = await startTestApp({
    worker: true,
    env: { CHAT_MAX_PENDING: String(MAX_PENDING), DELIVERY_RETRY_INITIAL: '500ms', DELIVERY_RETRY_MAX_INTERVAL: '1s' },
  });
  acme = (await app.tenant('Acme')).client;
  receiver = await startHttpPeer();
});
afterAll(async () => {
  await app.close();
  await receiver.close();
});

/** An active integration on its own SMS sender; `down` makes its receiver answer 503 until set back. */
async function activeIntegration() {
  sequence += 1;
  const code = `ADM-${sequence}`;
  const sender = uniqueSender();
  const carrier = carrierOf(app.baseUrl, await createConnection(acme, code, [sender]));
  const created = await acme.post('/v1/integrations', {
    alias: code,
    method: 'POST',
    url: `${receiver.url}/${code}`,
    connections: [{ code }],
  });
  expect(created.status).toBe(201);
  expect((await acme.post(`/v1/integrations/${created.body.id}/start`)).status).toBe(200);
  const integration = created.body as { id: string; responseToken: string };
  const state = { down: false };
  const path = `/${code}`;
  receiver.respondWith((request) => (state.down && request.url === path ? { status: 503 } : undefined));
  const delivered = () =>
    receiver.received
      .filter((request) => request.url === path)
      .map((request) => JSON.parse(request.body) as { event: string; text: string | null; chatId: string });
  return {
    ...integration,
    state,
    delivered,
    inbound: (from: string, messageId: string, text = messageId) =>
      carrier.post(`/carriers/${code}/inbound`, { messageId, from, to: sender, text }),
    end: (contact: string) =>
      apiClient(app.baseUrl, integration.responseToken).post(
        `/integrations/live-chat/${integration.id}/chats/${contact}/events`,
        { type: 'END' },
      ),
  };
}

describe('a repeated messageId (SPEC 3: de-duplicated for 7 days, across chats)', () => {
  it(
    'answers 202 {chatId, duplicate: true} with the first chat, also after END and a new chat, and is delivered once',
    { timeout: 60_000 },
    async () => {
      const integration = await activeIntegration();
      const contact = '5491100000301';
      const first = await integration.inbound(contact, 'dup-1', 'hello');
      expect(first.status).toBe(202);
      expect(first.body).toEqual({ chatId: expect.any(String) });

      const again = await integration.inbound(contact, 'dup-1', 'hello');
      expect(again.status).toBe(202);
      expect(again.body).toEqual({ chatId: first.body.chatId, duplicate: true });

      expect((await integration.end(contact)).status).toBe(202);
      await expect
        .poll(() => integration.delivered().map((event) => event.event), { timeout: 20_000 })
        .toEqual(['MESSAGE', 'END']);

      const next = await integration.inbound(contact, 'dup-2', 'back again');
      expect(next.status).toBe(202);
      expect(next.body.chatId).not.toBe(first.body.chatId);

      // The carrier retries the first chat's message after that chat closed and another opened.
      const late = await integration.inbound(contact, 'dup-1', 'hello');
      expect(late.status).toBe(202);
      expect(late.body).toEqual({ chatId: first.body.chatId, duplicate: true });

      await expect
        .poll(() => integration.delivered().map((event) => event.text), { timeout: 20_000 })
        .toEqual(['hello', null, 'back again']);
      // A moment more, so that a second delivery of "hello" sent late would be seen.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(integration.delivered().map((event) => event.text)).toEqual(['hello', null, 'back again']);
    },
  );
});

describe('backpressure (SPEC 3: CHAT_MAX_PENDING undelivered events, then 429)', () => {
  it(
    'answers 429 CHAT_BACKLOG with Retry-After while the chat holds CHAT_MAX_PENDING undelivered events, and takes the message once they drain',
    { timeout: 60_000 },
    async () => {
      const integration = await activeIntegration();
      integration.state.down = true;
      const contact = '5491100000302';
      for (let index = 1; index <= MAX_PENDING; index += 1) {
        const accepted = await integration.inbound(contact, `bp-${index}`);
        expect(accepted.status).toBe(202);
      }

      const refused = await integration.inbound(contact, 'bp-4');
      expect(refused.status).toBe(429);
      expect(refused.body.error.code).toBe('CHAT_BACKLOG');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      // Refused, not lost, not queued: nothing of it reaches the receiver while it is refused.
      expect(integration.delivered().some((event) => event.text === 'bp-4')).toBe(false);

      integration.state.down = false;
      // The carrier retries as told: accepted once the backlog has drained.
      await expect
        .poll(async () => (await integration.inbound(contact, 'bp-4')).status, { timeout: 30_000, interval: 500 })
        .toBe(202);
      const texts = () => [...new Set(integration.delivered().map((event) => event.text))];
      // In order; the first ones were tried (503) while the receiver was down, so repeats of those are expected.
      await expect.poll(texts, { timeout: 20_000 }).toEqual(['bp-1', 'bp-2', 'bp-3', 'bp-4']);
    },
  );

  it('declares 429 and its Retry-After on the MO and MT operations', async () => {
    const document = (await apiClient(app.baseUrl).get('/openapi.json')).body;
    const mo = document.paths['/carriers/{connectionCode}/inbound'].post.responses['429'];
    const mt =
      document.paths['/integrations/live-chat/{integrationId}/chats/{chatIdentifier}/events'].post.responses['429'];
    for (const declared of [mo, mt]) {
      expect(declared.description).toContain('CHAT_BACKLOG');
      expect(declared.headers['Retry-After']).toBeDefined();
    }
  });
});

describe('replay (SPEC 4: one series per delivery at a time)', () => {
  it(
    'answers 409 REPLAY_IN_PROGRESS while a replay of the delivery runs, and replays again once it ended',
    { timeout: 60_000 },
    async () => {
      const integration = await activeIntegration();
      const contact = '5491100000303';
      expect((await integration.inbound(contact, 'rp-1')).status).toBe(202);
      await expect.poll(() => integration.delivered().length, { timeout: 20_000 }).toBe(1);
      const [delivery] = (await acme.get(`/v1/integrations/${integration.id}/deliveries`)).body.items;
      await expect
        .poll(async () => (await acme.get(`/v1/integrations/${integration.id}/deliveries`)).body.items[0].status, {
          timeout: 10_000,
        })
        .toBe('SUCCEEDED');

      // The receiver fails for now: the replay series keeps retrying.
      integration.state.down = true;
      const replayPath = `/v1/integrations/${integration.id}/deliveries/${delivery.id}/replay`;
      const replay = await acme.post(replayPath);
      expect(replay.status).toBe(200);
      expect(replay.body).toMatchObject({ id: delivery.id, status: 'PENDING', replayId: expect.any(String) });
      await expect.poll(() => integration.delivered().length, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);

      const second = await acme.post(replayPath);
      expect(second.status).toBe(409);
      expect(second.body.error.code).toBe('REPLAY_IN_PROGRESS');

      integration.state.down = false;
      await expect
        .poll(async () => (await acme.get(`/v1/integrations/${integration.id}/deliveries`)).body.items[0].status, {
          timeout: 20_000,
        })
        .toBe('SUCCEEDED');
      // The series has ended: another replay is a new series.
      await expect.poll(async () => (await acme.post(replayPath)).status, { timeout: 10_000, interval: 300 }).toBe(200);
    },
  );
});
