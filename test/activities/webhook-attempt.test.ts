import { MockActivityEnvironment } from '@temporalio/testing';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import mongoose from 'mongoose';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { createRecentPayloads } from '../../activities/recent-payloads.js';
import { createWebhookAttemptActivities } from '../../activities/webhook-attempt.js';
import { createDeliveryRepository } from '../../src/db/deliveries.js';
import { createDeliveryAttemptRowModel } from '../../src/db/schemas/delivery-attempts.js';
import type { AttemptDeliveryInput, AttemptOutcome } from '../../workflows/contract/activity-io.js';
import type { InboundMessage } from '../../workflows/contract/chat-messages.js';
import { createConnection, createIntegration, uniqueSender } from '../support/fixtures.js';
import { freePort } from '../support/free-port.js';
import { startTestApp, type ApiClient, type TestApp } from '../support/harness.js';
import { startHttpPeer, type HttpPeer } from '../support/http-peer.js';

/** DELIVERY_RETRY_INITIAL and DELIVERY_RETRY_MAX_INTERVAL of this file: every retry delay stays between them. */
const INITIAL_MS = 2_000;
const MAX_MS = 10_000;

let app: TestApp;
let acme: { id: string; client: ApiClient };
let receiver: HttpPeer;
let activities: ReturnType<typeof createActivities>;
let sequence = 0;

beforeAll(async () => {
  app = await startTestApp({
    env: {
      DELIVERY_RETRY_INITIAL: `${INITIAL_MS}ms`,
      DELIVERY_RETRY_MAX_INTERVAL: `${MAX_MS}ms`,
      DELIVERY_TIMEOUT: '2s',
    },
  });
  acme = await app.tenant('Acme');
  receiver = await startHttpPeer();
  activities = createActivities({ ...app.runtime, announceReceiverRecovered: () => undefined });
});
afterAll(async () => {
  await app.close();
  await receiver.close();
});

/** An integration calling `url` (the receiver under its own path by default) and one accepted MESSAGE of it. */
async function acceptedMessage(url?: string) {
  sequence += 1;
  const code = `ATT-${sequence}`;
  const sender = uniqueSender();
  await createConnection(acme.client, code, [sender]);
  const integration = await createIntegration(acme.client, code, [code], { url: url ?? `${receiver.url}/${code}` });
  const deliveryId = `msg_attempt_${sequence}_${Date.now()}`;
  const message: InboundMessage = {
    messageId: `${code}-1`,
    connectionCode: code,
    sender,
    channel: 'SMS',
    text: `hello ${sequence}`,
    media: null,
    timestamp: '2026-11-26T10:00:00.000Z',
  };
  const accepted = await activities.acceptInboundEvent({
    deliveryId,
    tenantId: acme.id,
    integrationId: integration.id,
    chatId: `chat-${sequence}`,
    contact: '5491100000001',
    message,
    acceptedAt: new Date().toISOString(),
  });
  expect(accepted).toEqual({ duplicateOf: null });
  const input: AttemptDeliveryInput = {
    tenantId: acme.id,
    integrationId: integration.id,
    deliveryId,
    series: 0,
    attempt: 1,
  };
  return {
    integration,
    input,
    path: `/${code}`,
    requests: () => receiver.received.filter((request) => request.url.startsWith(`/${code}`)),
  };
}

const attempt = (input: AttemptDeliveryInput, run = activities.attemptWebhookDelivery): Promise<AttemptOutcome> =>
  new MockActivityEnvironment({ startToCloseTimeoutMs: 7_000 }).run(run, input);
const rowsOf = (deliveryId: string) => app.models.DeliveryAttemptRow.find({ deliveryId }).lean();

describe('attemptWebhookDelivery against a loopback receiver', () => {
  it('2xx: DELIVERED, the attempt recorded, signed with the integration secret and webhook-id = the delivery id', async () => {
    const { integration, input, requests } = await acceptedMessage();
    const outcome = await attempt(input);
    expect(outcome).toEqual({ kind: 'DELIVERED', record: null });
    const [request] = requests();
    expect(request!.headers['webhook-id']).toBe(input.deliveryId);
    const verified = new Webhook(integration.signingSecret).verify(
      request!.body,
      request!.headers as Record<string, string>,
    ) as Record<string, unknown>;
    expect(verified).toMatchObject({ text: 'hello 1' });
    const rows = await rowsOf(input.deliveryId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      series: 0,
      attempt: 1,
      kind: 'ATTEMPT',
      statusCode: 200,
      error: null,
      outcome: 'SUCCEEDED',
    });
  });

  it('503: RETRY after the exponential backoff of its attempt number, never sooner than DELIVERY_RETRY_INITIAL', async () => {
    const { input, path } = await acceptedMessage();
    receiver.respondWith((request) => (request.url.startsWith(path) ? { status: 503 } : undefined));
    const first = await attempt(input);
    expect(first).toMatchObject({
      kind: 'RETRY',
      retryInMs: INITIAL_MS,
      reason: 'the endpoint answered 503',
      record: null,
    });
    const third = await attempt({ ...input, attempt: 3 });
    expect(third.kind).toBe('RETRY');
    const delay = (third as { retryInMs: number }).retryInMs;
    expect(delay).toBeGreaterThanOrEqual(2 * INITIAL_MS);
    expect(delay).toBeLessThanOrEqual(4 * INITIAL_MS);
    const capped = (await attempt({ ...input, attempt: 20 })) as { retryInMs: number };
    expect(capped.retryInMs).toBeGreaterThanOrEqual(MAX_MS / 2);
    expect(capped.retryInMs).toBeLessThanOrEqual(MAX_MS);
    const rows = await rowsOf(input.deliveryId);
    expect(rows.map((row) => [row.attempt, row.statusCode, row.outcome]).sort()).toEqual([
      [1, 503, 'RETRY'],
      [20, 503, 'RETRY'],
      [3, 503, 'RETRY'],
    ]);
  });

  it.each([
    ['0', INITIAL_MS, INITIAL_MS],
    ['1', INITIAL_MS, INITIAL_MS],
    ['5', 5_000, 5_000],
    ['86400', MAX_MS, MAX_MS],
    ['<date in 6 s>', 4_000, 6_000],
    ['<date in the past>', INITIAL_MS, INITIAL_MS],
  ])('429 with Retry-After %s: RETRY in [%i, %i] ms', async (retryAfter, min, max) => {
    const { input, path } = await acceptedMessage();
    const header = () =>
      retryAfter === '<date in 6 s>'
        ? new Date(Date.now() + 6_000).toUTCString()
        : retryAfter === '<date in the past>'
          ? new Date(Date.now() - 60_000).toUTCString()
          : retryAfter;
    receiver.respondWith((request) =>
      request.url.startsWith(path) ? { status: 429, headers: { 'retry-after': header() } } : undefined,
    );
    const outcome = await attempt(input);
    expect(outcome.kind).toBe('RETRY');
    const delay = (outcome as { retryInMs: number }).retryInMs;
    expect(delay).toBeGreaterThanOrEqual(min);
    expect(delay).toBeLessThanOrEqual(max);
  });

  it('400: FAILED for good, recorded FAILED', async () => {
    const { input, path } = await acceptedMessage();
    receiver.respondWith((request) => (request.url.startsWith(path) ? { status: 400 } : undefined));
    expect(await attempt(input)).toEqual({ kind: 'FAILED', reason: 'the endpoint answered 400', record: null });
    expect(await rowsOf(input.deliveryId)).toEqual([expect.objectContaining({ statusCode: 400, outcome: 'FAILED' })]);
  });

  it('a network error (nothing listens): RETRY, recorded without a status code', async () => {
    const { input } = await acceptedMessage(`http://127.0.0.1:${await freePort()}/hook`);
    const outcome = await attempt(input);
    expect(outcome).toMatchObject({
      kind: 'RETRY',
      retryInMs: INITIAL_MS,
      reason: expect.stringContaining('network error'),
      record: null,
    });
    expect(await rowsOf(input.deliveryId)).toEqual([
      expect.objectContaining({ statusCode: null, outcome: 'RETRY', error: expect.stringContaining('network error') }),
    ]);
  });

  it('an integration deleted meanwhile: FAILED without a request', async () => {
    const { input, requests } = await acceptedMessage();
    await app.models.Integration.deleteOne({ _id: input.integrationId });
    expect(await attempt(input)).toMatchObject({ kind: 'FAILED', reason: 'the integration was deleted', record: null });
    expect(requests()).toHaveLength(0);
  });

  it('a record write that does not finish in time is handed back (the request is not sent again), and writing it twice stores it once', async () => {
    const { input, requests } = await acceptedMessage();
    // The attempt rows go to a database server on loopback that accepts connections and never
    // answers, with buffering and server selection outlasting the test: the write never ends.
    // So the attempt returning at all shows it stopped waiting (recordWaitMs) instead of
    // waiting for the write; no clock is read.
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const never = mongoose.createConnection(`mongodb://127.0.0.1:${(silent.address() as AddressInfo).port}/never`, {
      serverSelectionTimeoutMS: 600_000,
      // Mongoose takes it on a connection (lib/drivers/node-mongodb-native/connection.js); its types do not list it.
      bufferTimeoutMS: 600_000,
    } as mongoose.ConnectOptions);
    never.asPromise().catch(() => undefined);
    const slow = createWebhookAttemptActivities({
      ...app.runtime,
      ...app.runtime.repositories,
      deliveries: createDeliveryRepository({ ...app.models, DeliveryAttemptRow: createDeliveryAttemptRowModel(never) }),
      recentPayloads: createRecentPayloads(),
      announceReceiverRecovered: () => undefined,
      recordWaitMs: 300,
    });
    const started = Date.now();
    const outcome = await attempt(input, slow.attemptWebhookDelivery).finally(async () => {
      // (Connection.close waits for the initial connection, which never comes: close its client.)
      await never.getClient().close(true);
      for (const socket of sockets) socket.destroy();
      silent.close();
    });
    process.stdout.write(
      `attempt with a record write that never finishes returned in ${Date.now() - started} ms (recordWaitMs 300)\n`,
    );
    expect(outcome.kind).toBe('DELIVERED');
    expect(outcome.record).toMatchObject({
      deliveryId: input.deliveryId,
      series: 0,
      attempt: 1,
      statusCode: 200,
      error: null,
      outcome: 'SUCCEEDED',
    });
    expect(requests()).toHaveLength(1);
    expect(await rowsOf(input.deliveryId)).toHaveLength(0);
    await activities.recordDeliveryAttempt(outcome.record!);
    await activities.recordDeliveryAttempt(outcome.record!);
    expect(await rowsOf(input.deliveryId)).toEqual([
      expect.objectContaining({ statusCode: 200, outcome: 'SUCCEEDED' }),
    ]);
  });

  it('hands the record back at once when the attempt is about to reach its start-to-close timeout', async () => {
    const { input, requests } = await acceptedMessage();
    const outcome = await new MockActivityEnvironment({ startToCloseTimeoutMs: 1_000 }).run(
      activities.attemptWebhookDelivery,
      input,
    );
    expect(outcome).toMatchObject({
      kind: 'DELIVERED',
      record: { deliveryId: input.deliveryId, outcome: 'SUCCEEDED' },
    });
    expect(requests()).toHaveLength(1);
  });
});
