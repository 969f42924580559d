/**
 * Issue 11, reproduction 5 ("unbounded retry and replay"), end to end through the real API,
 * worker, Temporal and database: a receiver's `Retry-After` is kept between
 * DELIVERY_RETRY_INITIAL and DELIVERY_RETRY_MAX_INTERVAL, and a delivery runs one replay series
 * at a time however many are asked for at once. The clamp's arithmetic (seconds, dates, the past)
 * is proven on the activity (test/activities/webhook-attempt.test.ts), the bounded attempt log on
 * the outbox store (test/activities/chat-outbox.test.ts); these are the attacker's view.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatWorkflowId } from '../../workflows/contract/ids.js';
import { startTestApp, type ApiClient, type TestApp } from '../support/harness.js';
import { carrierOf, createConnection, uniqueSender } from '../support/fixtures.js';
import { startHttpPeer, type HttpPeer, type PeerReply, type ReceivedRequest } from '../support/http-peer.js';

const RETRY_INITIAL_MS = 2_000;
const RETRY_MAX_MS = 3_000;
let app: TestApp;
let acme: ApiClient;
let receiver: HttpPeer;
const answers = new Map<string, (request: ReceivedRequest) => PeerReply | undefined>();
let sequence = 0;

beforeAll(async () => {
  app = await startTestApp({
    worker: true,
    env: { DELIVERY_RETRY_INITIAL: `${RETRY_INITIAL_MS}ms`, DELIVERY_RETRY_MAX_INTERVAL: `${RETRY_MAX_MS}ms` },
  });
  acme = (await app.tenant('Acme')).client;
  receiver = await startHttpPeer();
  receiver.respondWith((request) => answers.get(request.url)?.(request));
});
afterAll(async () => {
  await app.close();
  await receiver.close();
});

/** An active integration whose receiver answers `answer` (200 when it returns undefined). */
async function activeIntegration(answer: (request: ReceivedRequest) => PeerReply | undefined) {
  sequence += 1;
  const code = `SEC-RR-${sequence}`;
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
  answers.set(`/${code}`, answer);
  return {
    id: created.body.id as string,
    /** The backoff timers of a contact's chat, as its workflow history has them (ms). */
    backoffTimersMs: async (contact: string) => {
      const events =
        (await app.runtime.temporal.client.workflow.getHandle(chatWorkflowId(created.body.id, contact)).fetchHistory())
          .events ?? [];
      return events.flatMap((event) => {
        const timeout = event.timerStartedEventAttributes?.startToFireTimeout;
        const ms = timeout ? Number(timeout.seconds ?? 0) * 1_000 + Math.round((timeout.nanos ?? 0) / 1e6) : undefined;
        // The chat's idle timer is CHAT_IDLE_TIMEOUT (24 h); backoff timers are seconds here.
        return ms !== undefined && ms < 3_600_000 ? [ms] : [];
      });
    },
    requests: () => receiver.received.filter((request) => request.url === `/${code}`),
    inbound: (from: string, messageId: string) =>
      carrier.post(`/carriers/${code}/inbound`, { messageId, from, to: sender, text: messageId }),
  };
}

/**
 * The receiver answers 429 with `retryAfter` once, then 200: the gap between the two attempts, and the timer the chat
 * set.
 */
async function gapAfterRetryAfter(retryAfter: string, contact: string): Promise<{ gapMs: number; timersMs: number[] }> {
  let calls = 0;
  const integration = await activeIntegration(() =>
    (calls += 1) === 1 ? { status: 429, headers: { 'retry-after': retryAfter } } : undefined,
  );
  expect((await integration.inbound(contact, `retry-after-${retryAfter}`)).status).toBe(202);
  await expect.poll(() => integration.requests().length, { timeout: 15_000, interval: 100 }).toBe(2);
  const [first, second] = integration.requests();
  expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
  return { gapMs: second!.at - first!.at, timersMs: await integration.backoffTimersMs(contact) };
}

describe("a receiver's Retry-After (SPEC 4: kept between DELIVERY_RETRY_INITIAL and DELIVERY_RETRY_MAX_INTERVAL)", () => {
  it(
    'retries no sooner than DELIVERY_RETRY_INITIAL for Retry-After 0 and 1, and within DELIVERY_RETRY_MAX_INTERVAL for a day',
    { timeout: 40_000 },
    async () => {
      const [zero, one, day] = await Promise.all([
        gapAfterRetryAfter('0', '5491100000501'),
        gapAfterRetryAfter('1', '5491100000502'),
        gapAfterRetryAfter('86400', '5491100000503'),
      ]);
      console.log(
        `gaps after Retry-After 0, 1, 86400: ${zero.gapMs}, ${one.gapMs}, ${day.gapMs} ms; timers ${[zero, one, day].map((gap) => gap.timersMs.join('+')).join(', ')} ms`,
      );
      // Taken as is, 0 and 1 would retry at once and after 1 s: 86,400 attempts a day.
      expect(zero.gapMs).toBeGreaterThanOrEqual(RETRY_INITIAL_MS);
      expect(one.gapMs).toBeGreaterThanOrEqual(RETRY_INITIAL_MS);
      // A day is capped: the next attempt comes after the maximum interval, not tomorrow. The
      // chat's one backoff timer says so without a clock: it was set to the maximum, not a day
      // (less only by the time a handed-back record write took).
      expect(day.gapMs).toBeGreaterThanOrEqual(RETRY_MAX_MS);
      expect(day.timersMs).toHaveLength(1);
      expect(day.timersMs[0]).toBeLessThanOrEqual(RETRY_MAX_MS);
      expect(day.timersMs[0]).toBeGreaterThan(0);
    },
  );
});

describe('replay (SPEC 4: one series per delivery at a time)', () => {
  it(
    'starts one series for five replays asked at once, answering the others 409 REPLAY_IN_PROGRESS',
    { timeout: 40_000 },
    async () => {
      const state = { down: false };
      const integration = await activeIntegration(() => (state.down ? { status: 503 } : undefined));
      expect((await integration.inbound('5491100000504', 'replayed')).status).toBe(202);
      const deliveries = async () =>
        (await acme.get(`/v1/integrations/${integration.id}/deliveries`)).body.items as Array<{
          id: string;
          status: string;
        }>;
      await expect.poll(async () => (await deliveries())[0]?.status, { timeout: 15_000 }).toBe('SUCCEEDED');
      const [delivery] = await deliveries();

      // The receiver fails from now on, so the series that starts keeps running.
      state.down = true;
      const replays = await Promise.all(
        Array.from({ length: 5 }, () =>
          acme.post(`/v1/integrations/${integration.id}/deliveries/${delivery!.id}/replay`),
        ),
      );
      expect(replays.map((replay) => replay.status).sort()).toEqual([200, 409, 409, 409, 409]);
      for (const refused of replays.filter((replay) => replay.status === 409))
        expect(refused.body.error.code).toBe('REPLAY_IN_PROGRESS');

      // One series: its first attempt, then its retries one at a time, at least DELIVERY_RETRY_INITIAL apart.
      await expect
        .poll(() => integration.requests().length, { timeout: 15_000, interval: 100 })
        .toBeGreaterThanOrEqual(3);
      const replayed = integration.requests().slice(1);
      expect(new Set(replayed.map((request) => request.headers['webhook-id']))).toEqual(new Set([delivery!.id]));
      for (let index = 1; index < replayed.length; index++)
        expect(replayed[index]!.at - replayed[index - 1]!.at).toBeGreaterThanOrEqual(RETRY_INITIAL_MS);
      state.down = false;
      await expect.poll(async () => (await deliveries())[0]?.status, { timeout: 15_000 }).toBe('SUCCEEDED');
    },
  );
});
