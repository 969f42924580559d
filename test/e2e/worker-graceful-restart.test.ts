/**
 * The worker as its own process (src/bin/worker-main.ts), stopped for real: a chat with no
 * worker answers 503 in bounded time (never a hang), and a SIGTERM lets the carrier send in
 * flight finish, so the chat's next reply goes out on the restart, not after a timeout (SPEC
 * sections 3, 6). Times are printed; what is asserted is that no timeout was waited out.
 */
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, startTestApp, type ApiClient, type TestApp } from '../support/harness.js';
import { uniqueSender } from '../support/fixtures.js';
import { startHttpPeer, type HttpPeer } from '../support/http-peer.js';
import { runningWorkers, startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';
import { chatWorkflowId } from '../../workflows/contract/ids.js';

const CHAT_UPDATE_WAIT_MS = 2_000;
let app: TestApp;
let acme: ApiClient;
let acmeId: string;
let receiver: HttpPeer;
let carrier: HttpPeer;

beforeAll(async () => {
  // No in-process worker: the worker is the child process above; the API waits 2 s for a chat.
  app = await startTestApp({ worker: false, chatUpdateWaitMs: CHAT_UPDATE_WAIT_MS });
  ({ client: acme, id: acmeId } = await app.tenant('Acme'));
  receiver = await startHttpPeer();
  carrier = await startHttpPeer({ status: 202 });
});
afterAll(async () => {
  for (const child of runningWorkers) child.kill('SIGKILL');
  await app.close();
  await receiver.close();
  await carrier.close();
});

let sequence = 0;
/** An active integration whose SMS connection sends replies through the `carrier` peer (needs a running worker). */
async function activeIntegration() {
  sequence += 1;
  const code = `GR-${sequence}`;
  const sender = uniqueSender();
  await app.provisionConnection(acmeId, {
    code,
    channel: 'SMS',
    senders: [sender],
    carrier: { type: 'http', url: `${carrier.url}/${code}`, secret: 'carrier-secret-c0' },
  });
  const created = await acme.post('/v1/integrations', {
    alias: code,
    method: 'POST',
    url: `${receiver.url}/${code}`,
    connections: [{ code }],
  });
  expect((await acme.post(`/v1/integrations/${created.body.id}/start`)).status).toBe(200);
  const integration = created.body as { id: string; responseToken: string };
  const mt = apiClient(app.baseUrl, integration.responseToken);
  return {
    ...integration,
    code,
    inbound: (from: string, messageId: string) =>
      apiClient(app.baseUrl, 'carrier-secret-c0').raw(`/carriers/${code}/inbound`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ messageId, from, to: sender, text: messageId }),
        // A timeout only: a hang fails here instead of at the test's timeout.
        signal: AbortSignal.timeout(CHAT_UPDATE_WAIT_MS + 30_000),
      }),
    reply: (contact: string, msg: string) =>
      mt.post(`/integrations/live-chat/${integration.id}/chats/${contact}/events`, {
        type: 'MESSAGE',
        channel: { type: 'SMS', route: sender, connection: code },
        msg,
      }),
    delivered: () =>
      receiver.received
        .filter((request) => request.url === `/${code}`)
        .map((request) => JSON.parse(request.body).text as string),
    sent: () =>
      carrier.received
        .filter((request) => request.url === `/${code}`)
        .map((request) => ({ text: JSON.parse(request.body).text as string, at: request.at })),
  };
}

async function stop(worker: WorkerProcess, signal: NodeJS.Signals) {
  worker.child.kill(signal);
  return worker.exited;
}

describe('a chat whose worker is not running', () => {
  it(
    'answers the MO 503 CHAT_UNAVAILABLE within the bounded wait, counts it, and the carrier retry is taken once the worker is back',
    { timeout: 180_000 },
    async () => {
      let worker = await startWorkerProcess(app.env);
      const integration = await activeIntegration();
      await stop(worker, 'SIGTERM');

      const started = Date.now();
      const refused = await integration.inbound('5491100000401', 'nw-1');
      const waited = Date.now() - started;
      console.log(
        `MO with no worker: ${refused.status} after ${waited} ms (CHAT_UPDATE_WAIT_MS ${CHAT_UPDATE_WAIT_MS})`,
      );
      expect(refused.status).toBe(503);
      expect(refused.body.error.code).toBe('CHAT_UNAVAILABLE');
      // It waited for the chat (the bound), and answered of its own: the update timed out (counted
      // below); the request's own timeout (inbound) fails a hang.
      expect(waited).toBeGreaterThanOrEqual(CHAT_UPDATE_WAIT_MS - 100);
      const counted = (await app.runtime.metrics.chatUnavailable.get()).values;
      expect(counted).toContainEqual(
        expect.objectContaining({ labels: { reason: 'update_timeout', operation: 'inbound' }, value: 1 }),
      );

      worker = await startWorkerProcess(app.env);
      try {
        // The carrier retries the same message: accepted (once), whatever became of the first try.
        await expect
          .poll(async () => (await integration.inbound('5491100000401', 'nw-1')).status, {
            timeout: 30_000,
            interval: 500,
          })
          .toBe(202);
        await expect.poll(integration.delivered, { timeout: 20_000 }).toEqual(['nw-1']);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        expect(integration.delivered()).toEqual(['nw-1']);
      } finally {
        await stop(worker, 'SIGTERM');
      }
    },
  );
});

describe('a graceful restart (SIGTERM) with a carrier send in flight', () => {
  it(
    'lets the send finish, exits 0, and the next queued reply goes out on the restart without waiting out a timeout',
    { timeout: 180_000 },
    async () => {
      let worker = await startWorkerProcess(app.env);
      const integration = await activeIntegration();
      const contact = '5491100000402';
      expect((await integration.inbound(contact, 'gr-1')).status).toBe(202);

      // The carrier holds the first reply's request for 3 s: the send is in flight during the stop.
      let firstAnsweredAt = 0;
      carrier.respondWith((request) => {
        if (request.url !== `/${integration.code}` || JSON.parse(request.body).text !== 'first') return undefined;
        setTimeout(() => (firstAnsweredAt = Date.now()), 3_000);
        return { status: 202, delayMs: 3_000 };
      });
      expect((await integration.reply(contact, 'first')).status).toBe(202);
      expect((await integration.reply(contact, 'second')).status).toBe(202);
      await expect
        .poll(() => integration.sent().map((send) => send.text), { timeout: 20_000, interval: 50 })
        .toEqual(['first']);

      const exit = await stop(worker, 'SIGTERM');
      expect(exit.code).toBe(0);
      // It waited for the carrier's answer instead of abandoning the send.
      expect(firstAnsweredAt).toBeGreaterThan(0);
      expect(exit.at).toBeGreaterThanOrEqual(firstAnsweredAt);
      expect(integration.sent().map((send) => send.text)).toEqual(['first']);

      worker = await startWorkerProcess(app.env);
      const restartedAt = Date.now();
      try {
        await expect
          .poll(() => integration.sent().map((send) => send.text), { timeout: 60_000, interval: 50 })
          .toEqual(['first', 'second']);
        console.log(`second reply sent ${integration.sent()[1]!.at - restartedAt} ms after the restart`);
        // Not after a timeout: neither the send nor a workflow task of the chat ran out its
        // start-to-close (a send lost with a worker is retried only after 15 s, a workflow task
        // after 10 s). The sticky queue's 3 s schedule-to-start is the hand-back that is expected.
        const events =
          (await app.runtime.temporal.client.workflow.getHandle(chatWorkflowId(integration.id, contact)).fetchHistory())
            .events ?? [];
        expect(events.filter((event) => event.activityTaskTimedOutEventAttributes)).toEqual([]);
        const taskTimeouts = events.flatMap((event) =>
          event.workflowTaskTimedOutEventAttributes ? [event.workflowTaskTimedOutEventAttributes.timeoutType] : [],
        );
        expect(
          taskTimeouts.filter((type) => type !== temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START),
        ).toEqual([]);
        // A moment more: the first send, which succeeded, is not sent again.
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        expect(integration.sent().map((send) => send.text)).toEqual(['first', 'second']);
      } finally {
        carrier.respondWith(() => undefined);
        await stop(worker, 'SIGTERM');
      }
    },
  );
});
