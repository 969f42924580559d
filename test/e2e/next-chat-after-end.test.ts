/**
 * The close → next-chat hand-over of the chat workflow, end to end (SPEC 3 and 6): a contact
 * who writes again right after the client ended the chat gets a 202 naming the contact's next
 * chat, and that message reaches the client webhook exactly once, in the new chat, after the
 * first chat's END.
 *
 * Per contact: MO → its webhook arrives → the client posts END to the response webhook → the
 * END webhook arrives → the next MO, 0–50 ms after that arrival (the window in which the
 * closing run records its close and hands over). Hundreds of contacts, a bounded number at a
 * time, so the race is hit many times per run on the real stack (Temporal dev server, FerretDB,
 * the API and the worker in process, a receiver on loopback).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, startTestApp, type ApiClient, type TestApp } from '../support/harness.js';
import { carrierOf, createConnection, uniqueSender } from '../support/fixtures.js';
import { startHttpPeer, type HttpPeer, type ReceivedRequest } from '../support/http-peer.js';

const CONTACTS = 200;
const AT_A_TIME = 40;
/** Longest a delivered message may take once the last contact's script ended. */
const DRAIN_MS = 30_000;

interface WebhookEvent {
  chatId: string;
  contact: string;
  event: 'MESSAGE' | 'END';
  text: string | null;
}

let app: TestApp;
let receiver: HttpPeer;
let tenant: ApiClient;
/** What the receiver got, indexed as it arrives: MESSAGE requests by text, END requests by chat. */
const messagesByText = new Map<string, ReceivedRequest[]>();
const endsByChat = new Map<string, ReceivedRequest[]>();
/** Wakes the contact scripts waiting for a webhook to arrive (the receiver answers 200 at once). */
const arrivalWaiters = new Set<() => void>();

beforeAll(async () => {
  app = await startTestApp({
    worker: true,
    env: { DELIVERY_RETRY_INITIAL: '200ms', DELIVERY_RETRY_MAX_INTERVAL: '1s' },
  });
  ({ client: tenant } = await app.tenant('Next chat'));
  receiver = await startHttpPeer();
  receiver.respondWith((request) => {
    const event = JSON.parse(request.body) as WebhookEvent;
    const [index, key] = event.event === 'END' ? [endsByChat, event.chatId] : [messagesByText, event.text ?? ''];
    index.set(key, [...(index.get(key) ?? []), request]);
    arrivalWaiters.forEach((wake) => wake());
    return undefined;
  });
});
afterAll(async () => {
  await app?.close();
  await receiver?.close();
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));
const eventOf = (request: ReceivedRequest) => JSON.parse(request.body) as WebhookEvent;

/** Resolves with the first request under `key` of `index` once it arrived, or rejects after `timeoutMs`. */
async function arrival(
  index: Map<string, ReceivedRequest[]>,
  key: string,
  timeoutMs = 20_000,
): Promise<ReceivedRequest> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const first = index.get(key)?.[0];
    if (first) return first;
    if (Date.now() > deadline) throw new Error(`webhook ${key} did not arrive in ${timeoutMs} ms`);
    await new Promise<void>((resolve) => {
      const wake = () => {
        arrivalWaiters.delete(wake);
        resolve();
      };
      arrivalWaiters.add(wake);
      setTimeout(wake, 200);
    });
  }
}

/** How long a carrier keeps retrying one message (a chat that never answers must fail the test, not time it out). */
const CARRIER_RETRY_MS = 15_000;

interface InboundAnswer {
  status: number;
  body: { chatId?: string; duplicate?: boolean };
  /** Every answer the carrier got for this messageId, in order (0 = no answer). */
  statuses: number[];
}

/** A carrier's callback: retried (same messageId) on 429, 5xx and network errors, as carriers do. */
async function postInbound(carrier: ApiClient, code: string, message: Record<string, string>): Promise<InboundAnswer> {
  const deadline = Date.now() + CARRIER_RETRY_MS;
  const statuses: number[] = [];
  for (let backoffMs = 100; ; backoffMs = Math.min(2_000, backoffMs * 2)) {
    const answer = await carrier.post(`/carriers/${code}/inbound`, message).catch(() => ({ status: 0, body: {} }));
    statuses.push(answer.status);
    if ((answer.status !== 0 && answer.status !== 429 && answer.status < 500) || Date.now() > deadline)
      return { ...answer, statuses };
    await sleep(backoffMs);
  }
}

interface ContactRun {
  contact: string;
  firstChatId: string;
  secondText: string;
  /** The 202 of the second MO (status 0 = the script failed before it). */
  second: { status: number; chatId?: string; duplicate?: boolean; statuses?: number[] };
  endArrivedAt: number;
  delayMs: number;
  error?: string;
}

async function forEachConcurrently<T>(
  items: readonly T[],
  lanes: number,
  run: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < items.length) await run(items[next++]!);
    }),
  );
}

describe('the next chat after END', () => {
  it(
    `delivers a contact's message sent 0–50 ms after the END webhook arrived, once, to the new chat (${CONTACTS} contacts)`,
    { timeout: 300_000 },
    async () => {
      const sender = uniqueSender();
      const connection = await createConnection(tenant, 'NEXT-CHAT', [sender]);
      const integration = await tenant.post('/v1/integrations', {
        alias: 'Next chat',
        method: 'POST',
        url: `${receiver.url}/hook`,
        connections: [{ code: 'NEXT-CHAT' }],
      });
      expect((await tenant.post(`/v1/integrations/${integration.body.id}/start`)).status).toBe(200);
      const carrier = carrierOf(app.baseUrl, connection);
      const client = apiClient(app.baseUrl, integration.body.responseToken);

      const runs: ContactRun[] = Array.from({ length: CONTACTS }, (_, index) => ({
        contact: String(5_491_150_000_000 + index),
        firstChatId: '',
        secondText: `second-${index}`,
        second: { status: 0 },
        endArrivedAt: 0,
        // Spread over the whole 0–50 ms window, every delay hit several times.
        delayMs: (index * 7) % 51,
      }));
      const started = Date.now();
      await forEachConcurrently(runs, AT_A_TIME, async (run) => {
        try {
          const first = await postInbound(carrier, 'NEXT-CHAT', {
            messageId: `${run.contact}-1`,
            from: run.contact,
            to: sender,
            text: `first-${run.contact}`,
          });
          if (first.status !== 202 || !first.body.chatId) throw new Error(`first MO answered ${first.status}`);
          run.firstChatId = first.body.chatId;
          await arrival(messagesByText, `first-${run.contact}`);
          const end = await client.post(`/integrations/live-chat/${integration.body.id}/chats/${run.contact}/events`, {
            type: 'END',
          });
          if (end.status !== 202) throw new Error(`END answered ${end.status} ${JSON.stringify(end.body)}`);
          run.endArrivedAt = (await arrival(endsByChat, run.firstChatId)).at;
          await sleep(run.endArrivedAt + run.delayMs - Date.now());
          const second = await postInbound(carrier, 'NEXT-CHAT', {
            messageId: `${run.contact}-2`,
            from: run.contact,
            to: sender,
            text: run.secondText,
          });
          run.second = { status: second.status, ...second.body, statuses: second.statuses };
        } catch (error) {
          run.error = (error as Error).message;
        }
      });
      const scriptsMs = Date.now() - started;

      // Every second MO that got a 202 must arrive; wait for all of them (or the drain deadline).
      const secondTexts = new Set(runs.filter((run) => run.second.status === 202).map((run) => run.secondText));
      const arrived = () => [...secondTexts].filter((text) => messagesByText.has(text)).length;
      const drainDeadline = Date.now() + DRAIN_MS;
      while (arrived() < secondTexts.size && Date.now() < drainDeadline) await sleep(250);
      // Room for a late second copy to show up.
      await sleep(1_500);

      const problems: string[] = [];
      let lost = 0;
      for (const run of runs) {
        const label = `${run.contact} (+${run.delayMs} ms)`;
        if (run.error) {
          problems.push(`${label}: ${run.error}`);
          continue;
        }
        if (run.second.status !== 202) {
          problems.push(`${label}: second MO answered ${run.second.statuses?.join(', ')}`);
          continue;
        }
        if (run.second.chatId === run.firstChatId)
          problems.push(`${label}: second MO's 202 named the ended chat ${run.firstChatId}`);
        const copies = messagesByText.get(run.secondText) ?? [];
        const webhookIds = new Set(copies.map((request) => String(request.headers['webhook-id'])));
        if (copies.length === 0) {
          lost += 1;
          problems.push(
            `${label}: second MO accepted (answers ${run.second.statuses?.join(', ')}; chat ${run.second.chatId}${run.second.duplicate ? ', duplicate: true' : ''}) and never delivered`,
          );
          continue;
        }
        if (copies.length > 1 || webhookIds.size > 1)
          problems.push(`${label}: second MO delivered ${copies.length} times under ${webhookIds.size} webhook-id(s)`);
        const delivered = eventOf(copies[0]!);
        if (delivered.chatId !== run.second.chatId)
          problems.push(`${label}: delivered in chat ${delivered.chatId}, its 202 named ${run.second.chatId}`);
        if (delivered.chatId === run.firstChatId) problems.push(`${label}: delivered in the ended chat`);
        if (copies[0]!.at < run.endArrivedAt) problems.push(`${label}: delivered before the first chat's END`);
      }
      const refused = runs.filter((run) => !run.error && run.second.status !== 202).length;
      const summary = `${CONTACTS} contacts in ${(scriptsMs / 1000).toFixed(1)} s: ${lost} second MOs accepted (202) and never delivered, ${refused} never accepted, ${problems.length} problems`;
      process.stdout.write(`${summary}\n`);
      expect(problems, summary).toEqual([]);
    },
  );
});
