/**
 * Issue 10's reproductions turned into tests against the real stack (API, worker, Temporal,
 * database, a loopback receiver): a long receiver outage under large messages, an MO for a
 * closing chat, a receiver's "retry now", and the delivery log from the moment of acceptance
 * (SPEC sections 3, 4, 6).
 */
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatWorkflowId } from '../../workflows/contract/ids.js';
import { apiClient, startTestApp, type ApiClient, type TestApp } from '../support/harness.js';
import { carrierOf, createConnection, uniqueSender } from '../support/fixtures.js';
import { startHttpPeer, type HttpPeer, type PeerReply, type ReceivedRequest } from '../support/http-peer.js';

const MESSAGES_PER_RUN = 30;
const RETRY_INITIAL_MS = 500;
let app: TestApp;
let acme: ApiClient;
let receiver: HttpPeer;
let sequence = 0;

/** How the receiver answers each integration's path, and what it answered (status per request). */
const answers = new Map<string, (request: ReceivedRequest) => PeerReply | undefined>();
const answered: Array<{ request: ReceivedRequest; status: number }> = [];

beforeAll(async () => {
  app = await startTestApp({
    worker: true,
    env: {
      DELIVERY_RETRY_INITIAL: `${RETRY_INITIAL_MS}ms`,
      DELIVERY_RETRY_MAX_INTERVAL: '1s',
      CHAT_MESSAGES_PER_RUN: String(MESSAGES_PER_RUN),
    },
  });
  acme = (await app.tenant('Acme')).client;
  receiver = await startHttpPeer();
  receiver.respondWith((request) => {
    const reply = answers.get(request.url.split('?')[0]!)?.(request);
    answered.push({ request, status: reply?.status ?? 200 });
    return reply;
  });
});
afterAll(async () => {
  await app.close();
  await receiver.close();
});

interface WebhookEvent {
  chatId: string;
  contact: string;
  event: 'MESSAGE' | 'END';
  text: string | null;
}

/** An active integration on its own SMS sender; its receiver answers 503 while `down`. */
async function activeIntegration(answer?: (request: ReceivedRequest) => PeerReply | undefined) {
  sequence += 1;
  const code = `REL-${sequence}`;
  const sender = uniqueSender();
  const path = `/${code}`;
  const carrierClient = carrierOf(app.baseUrl, await createConnection(acme, code, [sender]));
  const created = await acme.post('/v1/integrations', {
    alias: code,
    method: 'POST',
    url: `${receiver.url}${path}`,
    connections: [{ code }],
  });
  expect(created.status).toBe(201);
  expect((await acme.post(`/v1/integrations/${created.body.id}/start`)).status).toBe(200);
  const integration = created.body as { id: string; responseToken: string };
  const state = { down: false };
  answers.set(path, answer ?? (() => (state.down ? { status: 503 } : undefined)));
  const ofPath = () => answered.filter((entry) => entry.request.url.split('?')[0] === path);
  return {
    ...integration,
    state,
    /** Every request the receiver got for this integration, with what it answered. */
    requests: ofPath,
    /** The requests answered 200: what the client actually took. */
    delivered: () =>
      ofPath()
        .filter((entry) => entry.status === 200)
        .map((entry) => ({
          webhookId: String(entry.request.headers['webhook-id']),
          ...(JSON.parse(entry.request.body) as WebhookEvent),
        })),
    inbound: (from: string, messageId: string, text = messageId) =>
      carrierClient.raw(`/carriers/${code}/inbound`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ messageId, from, to: sender, text }),
        // A hang fails the test here, not at the test's timeout.
        signal: AbortSignal.timeout(15_000),
      }),
    end: (contact: string) =>
      apiClient(app.baseUrl, integration.responseToken).post(
        `/integrations/live-chat/${integration.id}/chats/${contact}/events`,
        { type: 'END' },
      ),
    deliveries: async (query = '') =>
      (await acme.get(`/v1/integrations/${integration.id}/deliveries${query}`)).body.items as Delivery[],
  };
}

interface Delivery {
  id: string;
  chatId: string;
  event: string;
  status: string;
  attemptCount: number;
  attempts: Array<{ statusCode: number | null }>;
}

interface RunHistory {
  runId: string;
  historySize: number;
  events: temporal.api.history.v1.IHistoryEvent[];
}

/** Every run of a workflow id, latest first, followed through the continued-as-new chain (no visibility lag). */
async function runsOf(workflowId: string): Promise<RunHistory[]> {
  const runs: RunHistory[] = [];
  let runId: string | undefined = (await app.runtime.temporal.client.workflow.getHandle(workflowId).describe()).runId;
  while (runId) {
    const handle = app.runtime.temporal.client.workflow.getHandle(workflowId, runId);
    const [description, history] = await Promise.all([handle.describe(), handle.fetchHistory()]);
    const events: temporal.api.history.v1.IHistoryEvent[] = history.events ?? [];
    runs.push({ runId, historySize: description.historySize ?? 0, events });
    const previousRunId: string | null | undefined =
      events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    runId = previousRunId || undefined;
  }
  return runs;
}

/** The largest Temporal payload (bytes of data) anywhere in these events, and the kind of event carrying it. */
function largestPayload(events: temporal.api.history.v1.IHistoryEvent[]): { bytes: number; event: string } {
  let largest = { bytes: 0, event: 'none' };
  const visit = (value: unknown, event: string): void => {
    if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return;
    const record = value as Record<string, unknown>;
    if (record.data instanceof Uint8Array && record.metadata && typeof record.metadata === 'object') {
      if (record.data.length > largest.bytes) largest = { bytes: record.data.length, event };
      return;
    }
    for (const child of Object.values(record)) visit(child, event);
  };
  for (const event of events) visit(event, temporal.api.enums.v1.EventType[event.eventType ?? 0] ?? 'unknown');
  return largest;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a long receiver outage under large messages (issue 10, reproduction 1)', () => {
  it(
    'accepts 100 MOs of 4,096 characters while the receiver answers 503, continues as new meanwhile, then delivers all once, in order, with no workflow task failure',
    { timeout: 60_000 },
    async () => {
      const integration = await activeIntegration();
      const contact = '5491100000401';
      const workflowId = chatWorkflowId(integration.id, contact);
      const texts = Array.from({ length: 100 }, (_, index) => `${String(index).padStart(3, '0')} ${'x'.repeat(4_092)}`);
      expect(texts.every((text) => text.length === 4_096)).toBe(true);

      integration.state.down = true;
      const chatIds = new Set<string>();
      for (const [index, text] of texts.entries()) {
        const accepted = await integration.inbound(contact, `big-${index}`, text);
        expect(accepted.status).toBe(202);
        chatIds.add(accepted.body.chatId);
      }
      expect(chatIds.size).toBe(1);

      // Still down: the chat has turned over runs with the head delivery retrying (never awaited).
      await expect
        .poll(async () => (await runsOf(workflowId)).length, { timeout: 15_000, interval: 300 })
        .toBeGreaterThanOrEqual(Math.floor(texts.length / MESSAGES_PER_RUN));
      expect(integration.delivered()).toEqual([]);
      const triedWhileDown = integration.requests();
      expect(triedWhileDown.length).toBeGreaterThanOrEqual(2);
      // Only the head was tried, as one series (one webhook-id) carried from run to run.
      expect(new Set(triedWhileDown.map((entry) => entry.request.headers['webhook-id'])).size).toBe(1);
      expect(JSON.parse(triedWhileDown[0]!.request.body).text).toBe(texts[0]);

      integration.state.down = false;
      await expect
        .poll(() => integration.delivered().length, { timeout: 30_000, interval: 200 })
        .toBeGreaterThanOrEqual(texts.length);
      await sleep(1_000);
      const delivered = integration.delivered();
      expect(delivered).toHaveLength(texts.length);
      expect(new Set(delivered.map((event) => event.webhookId)).size).toBe(texts.length);
      expect(delivered.map((event) => event.text)).toEqual(texts);

      const deliveries = await integration.deliveries('?limit=500');
      expect(deliveries).toHaveLength(texts.length);
      await expect
        .poll(async () => (await integration.deliveries('?limit=500&status=SUCCEEDED')).length, { timeout: 10_000 })
        .toBe(texts.length);
      const head = (await integration.deliveries('?limit=500')).find(
        (delivery) => delivery.id === triedWhileDown[0]!.request.headers['webhook-id'],
      )!;
      expect(head.attemptCount).toBe(
        integration.requests().filter((entry) => entry.request.headers['webhook-id'] === head.id).length,
      );

      const runs = await runsOf(workflowId);
      const failedTasks = runs.flatMap((run) => run.events.filter((event) => event.workflowTaskFailedEventAttributes));
      expect(failedTasks).toEqual([]);
      const largestHistory = Math.max(...runs.map((run) => run.historySize));
      const largestEncodedHistory = Math.max(
        ...runs.map((run) => temporal.api.history.v1.History.encode({ events: run.events }).finish().length),
      );
      const payload = runs.map((run) => largestPayload(run.events)).reduce((a, b) => (b.bytes > a.bytes ? b : a));
      console.log(
        `[chat-reliability] 100 x 4,096-character MOs, receiver down then back: ${runs.length} runs; largest history ${largestHistory} bytes (encoded events ${largestEncodedHistory} bytes); largest payload ${payload.bytes} bytes (${payload.event})`,
      );
      // Bodies do not pile up in the state or the continue-as-new input: one message's worth at most.
      expect(payload.bytes).toBeLessThan(64 * 1_024);
    },
  );
});

describe('an MO for a closing chat (issue 10, reproduction 2)', () => {
  it(
    'answers 202 with the next chat while the closing chat still waits on its receiver, delivered after that chat’s END',
    { timeout: 60_000 },
    async () => {
      const integration = await activeIntegration();
      const contact = '5491100000402';
      integration.state.down = true;
      const first = await integration.inbound(contact, 'close-1', 'before END');
      expect(first.status).toBe(202);
      // The first delivery is retrying when the chat is asked to close.
      await expect.poll(() => integration.requests().length, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
      expect((await integration.end(contact)).status).toBe(202);

      // SPEC 3 bounds this answer at 2 s; what the test checks is why it is quick: the answer does
      // not wait for the closing chat, which cannot finish while its receiver is down (its first
      // delivery retrying, its END not sent). The time is printed, not asserted.
      const startedAt = Date.now();
      const next = await integration.inbound(contact, 'close-2', 'after END');
      const tookMs = Date.now() - startedAt;
      console.log(`MO for a closing chat answered ${next.status} in ${tookMs} ms`);
      expect(next.status).toBe(202);
      expect(integration.delivered()).toEqual([]);
      expect(next.body.chatId).toEqual(expect.any(String));
      expect(next.body.chatId).not.toBe(first.body.chatId);

      integration.state.down = false;
      await expect.poll(() => integration.delivered().length, { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
      await sleep(1_000);
      expect(integration.delivered().map(({ event, chatId, text }) => ({ event, chatId, text }))).toEqual([
        { event: 'MESSAGE', chatId: first.body.chatId, text: 'before END' },
        { event: 'END', chatId: first.body.chatId, text: null },
        { event: 'MESSAGE', chatId: next.body.chatId, text: 'after END' },
      ]);
    },
  );
});

describe("a receiver's retry now (issue 10, reproduction 6)", () => {
  it(
    'retries a 429 with Retry-After: 0 no sooner than DELIVERY_RETRY_INITIAL, and records SUCCEEDED after 2 attempts',
    { timeout: 30_000 },
    async () => {
      let calls = 0;
      const integration = await activeIntegration(() =>
        (calls += 1) === 1 ? { status: 429, headers: { 'retry-after': '0' } } : undefined,
      );
      const accepted = await integration.inbound('5491100000403', 'retry-now', 'come again');
      expect(accepted.status).toBe(202);

      await expect.poll(() => integration.requests().length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
      const [first, second] = integration.requests();
      expect([first!.status, second!.status]).toEqual([429, 200]);
      expect(second!.request.headers['webhook-id']).toBe(first!.request.headers['webhook-id']);
      expect(second!.request.at - first!.request.at).toBeGreaterThanOrEqual(app.config.delivery.retryInitialMs);

      await expect.poll(async () => (await integration.deliveries())[0]?.status, { timeout: 10_000 }).toBe('SUCCEEDED');
      const [delivery] = await integration.deliveries();
      expect(delivery).toMatchObject({
        id: first!.request.headers['webhook-id'],
        chatId: accepted.body.chatId,
        status: 'SUCCEEDED',
        attemptCount: 2,
      });
      expect(delivery!.attempts.map((attempt) => attempt.statusCode)).toEqual([429, 200]);
      expect(integration.requests()).toHaveLength(2);
    },
  );
});

describe('the delivery log (SPEC 4: listed from the moment it is accepted)', () => {
  it(
    'lists an MO PENDING with no attempts right after its 202, while the receiver is down',
    { timeout: 30_000 },
    async () => {
      // Down and slow: the first attempt is still in flight when the list is read.
      const state = { down: true };
      const integration = await activeIntegration(() => (state.down ? { status: 503, delayMs: 1_500 } : undefined));
      const accepted = await integration.inbound('5491100000404', 'listed-1', 'listed at once');
      expect(accepted.status).toBe(202);

      const listed = await integration.deliveries(`?chatId=${accepted.body.chatId}`);
      expect(listed).toHaveLength(1);
      expect(listed[0]).toMatchObject({
        chatId: accepted.body.chatId,
        event: 'MESSAGE',
        status: 'PENDING',
        attemptCount: 0,
        attempts: [],
      });

      state.down = false;
      await expect.poll(() => integration.delivered().length, { timeout: 15_000 }).toBe(1);
      expect(integration.delivered()[0]!.webhookId).toBe(listed[0]!.id);
      await expect
        .poll(async () => (await integration.deliveries(`?chatId=${accepted.body.chatId}`))[0]?.status, {
          timeout: 10_000,
        })
        .toBe('SUCCEEDED');
    },
  );
});
