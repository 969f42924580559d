/**
 * A running API whose Temporal server or database goes away (SPEC section 3: "When chathook
 * cannot durably accept (Temporal or the database down) the answer is 503"; section 2: errors
 * are `{error:{code,message}}`, no endpoint answers 500 to what is not a bug, and `/readyz`
 * checks MongoDB and Temporal). The servers here are this file's own, so it can stop them for
 * real: a Temporal dev server on its own SQLite file and a database server on its own directory,
 * both started again on the same port and files afterwards, and the service recovers.
 *
 * Each call is made with a timeout only so that a hang fails the test instead of stalling it:
 * the README's bounds (an MO or MT waits at most CHAT_UPDATE_WAIT_MS for its chat; start waits
 * up to 25 s; a database read fails after its 5 s server selection, or mongoose's 10 s buffering)
 * plus room for a loaded machine. The times measured are printed, not asserted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedMongo, type EmbeddedMongo } from '../../src/platform/embedded/mongo-server.js';
import { ferretdbPath, temporalCliPath } from '../../src/platform/embedded/tool-paths.js';
import { createLogger } from '../../src/platform/logger.js';
import { CHAT_UPDATE_WAIT_MS } from '../../src/temporal/gateway.js';
import { installTemporalRuntimeLogger } from '../../src/temporal/runtime-logger.js';
import { CHAT_SEARCH_ATTRIBUTE_NAMES } from '../../workflows/contract/search-attributes.js';
import type { ManagedChild } from '../../src/platform/embedded/child-process.js';
import { startTemporalDevServer } from '../../src/platform/embedded/temporal-dev-server.js';
import { apiClient, startTestApp, type ApiClient, type ApiResponse, type TestApp } from '../support/harness.js';
import { createConnection, createIntegration, uniqueSender } from '../support/fixtures.js';
import { freePort } from '../support/free-port.js';
import { startHttpPeer, type HttpPeer } from '../support/http-peer.js';

const dir = mkdtempSync(join(tmpdir(), 'chathook-outage-'));
const logger = createLogger('silent');
let temporalPort: number;
let mongoPort: number;
let temporal: ManagedChild | undefined;
let mongo: EmbeddedMongo | undefined;
let app: TestApp;
let receiver: HttpPeer;
let acme: ApiClient;

/** True once nothing listens on `port` (a stopped server's process can outlive its teardown by a moment). */
const portIsFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });

/** The Temporal dev server of this file, on the same port and history file each time. */
const startTemporal = async (): Promise<ManagedChild> => {
  for (const deadline = Date.now() + 30_000; !(await portIsFree(temporalPort));) {
    if (Date.now() > deadline) throw new Error(`port ${temporalPort} is still taken 30 s after Temporal stopped`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  // The product's own launcher (what `npm start` runs): it waits for the port up to 60 s, where
  // the SDK's test environment gives a restarted server 10 s to answer.
  return startTemporalDevServer(
    {
      cliPath: temporalCliPath({ temporalCliPath: process.env.TEMPORAL_CLI_PATH }),
      dbFile: join(dir, 'temporal.db'),
      port: temporalPort,
      uiPort: await freePort(),
      namespace: 'default',
      logFile: join(dir, 'temporal.log'),
      keywordSearchAttributes: CHAT_SEARCH_ATTRIBUTE_NAMES,
    },
    logger,
  );
};

/** The database server of this file, on the same port and data directory each time. */
const startMongo = () =>
  startEmbeddedMongo(
    {
      dataDir: dir,
      port: mongoPort,
      mongodBinary: process.env.MONGOMS_SYSTEM_BINARY,
      ferretdbPath: () => ferretdbPath({ ferretdbPath: process.env.FERRETDB_PATH }),
      logFile: join(dir, 'mongo.log'),
    },
    logger,
  );

beforeAll(async () => {
  // Before the first native connection: the worker's polls fail while Temporal is down, and
  // the SDK would print a WARN line for each retry.
  installTemporalRuntimeLogger(logger);
  temporalPort = await freePort();
  mongoPort = await freePort();
  temporal = await startTemporal();
  mongo = await startMongo();
  // Every MO and MT reads its routing from the database (no route cache), so a database outage
  // is met by the request itself.
  app = await startTestApp({
    worker: true,
    servers: { temporalAddress: `127.0.0.1:${temporalPort}`, mongoUri: mongo.uri },
    env: { ROUTE_CACHE_TTL: '0', DELIVERY_RETRY_INITIAL: '200ms' },
  });
  acme = (await app.tenant('Acme')).client;
  receiver = await startHttpPeer();
});
afterAll(async () => {
  // Both servers are up again unless a test failed half-way; the app closes against them.
  if (!temporal) temporal = await startTemporal().catch(() => undefined);
  if (!mongo) mongo = await startMongo().catch(() => undefined);
  await app?.close().catch(() => undefined);
  await receiver?.close();
  await temporal?.stop();
  await mongo?.stop();
  rmSync(dir, { recursive: true, force: true });
});

let sequence = 0;

/** An active integration on a sandbox sender with an open chat. */
async function openChat() {
  sequence += 1;
  const code = `OUTAGE-${sequence}`;
  const sender = uniqueSender();
  const contact = `54911000009${String(60 + sequence)}`;
  const connection = await createConnection(acme, code, [sender]);
  const integration = await createIntegration(acme, code, [code], { url: `${receiver.url}/${code}` });
  expect((await acme.post(`/v1/integrations/${integration.id}/start`)).status).toBe(200);
  const carrier = apiClient(app.baseUrl, connection.carrierSecret);
  const mt = apiClient(app.baseUrl, integration.responseToken);
  const chat = {
    code,
    inbound: (messageId: string, init: { signal?: AbortSignal } = {}) =>
      carrier.raw(`/carriers/${code}/inbound`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ messageId, from: contact, to: sender, text: messageId }),
        ...init,
      }),
    reply: (msg: string, init: { signal?: AbortSignal } = {}) =>
      mt.raw(`/integrations/live-chat/${integration.id}/chats/${contact}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'MESSAGE', channel: { type: 'SMS', route: sender, connection: code }, msg }),
        ...init,
      }),
    delivered: () =>
      receiver.received
        .filter((request) => request.url === `/${code}`)
        .map((request) => JSON.parse(request.body).text as string),
  };
  expect((await chat.inbound(`${code}-open`)).status).toBe(202);
  await expect.poll(chat.delivered, { timeout: 20_000 }).toEqual([`${code}-open`]);
  return chat;
}

/** One call, aborted (so the test fails) if it has no answer within `timeoutMs`; how long it took is printed. */
async function timed(
  name: string,
  timeoutMs: number,
  call: (signal: AbortSignal) => Promise<ApiResponse>,
): Promise<ApiResponse> {
  const started = Date.now();
  const response = await call(AbortSignal.timeout(timeoutMs));
  process.stdout.write(
    `${name}: ${response.status} ${response.status >= 400 ? (response.body?.error?.code ?? response.body?.status) : ''} in ${Date.now() - started} ms\n`,
  );
  return response;
}

const expectUnavailable = (name: string, response: ApiResponse) => {
  expect(response.status, `${name}: ${JSON.stringify(response.body)}`).toBe(503);
  expect(response.body.error, name).toEqual(
    expect.objectContaining({ code: expect.stringMatching(/^[A-Z_]+$/), message: expect.any(String) }),
  );
};

/** A carrier retries its callback after a 503, with the same messageId, until it is taken. */
async function retriedUntilAccepted(send: () => Promise<ApiResponse>): Promise<ApiResponse> {
  let last: ApiResponse | undefined;
  await expect
    .poll(
      async () => {
        last = await send();
        return last.status;
      },
      { timeout: 60_000, interval: 500 },
    )
    .toBe(202);
  return last!;
}

const MO_MT_TIMEOUT_MS = CHAT_UPDATE_WAIT_MS + 15_000;
const START_TIMEOUT_MS = 25_000 + 15_000;

describe('Temporal stopped under a running API', () => {
  it(
    'answers MO, MT and start 503 with an error body, /readyz 503, and recovers when Temporal is back',
    { timeout: 240_000 },
    async () => {
      const chat = await openChat();
      const idle = await createIntegration(acme, 'Idle', [], { url: `${receiver.url}/idle` });

      await temporal!.stop();
      temporal = undefined;

      const ready = await timed('readyz, Temporal down', 15_000, (signal) =>
        apiClient(app.baseUrl).raw('/readyz', { signal }),
      );
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({
        status: 'not-ready',
        checks: { mongodb: { ok: true }, temporal: { ok: false } },
      });
      expectUnavailable(
        'MO',
        await timed('MO, Temporal down', MO_MT_TIMEOUT_MS, (signal) => chat.inbound(`${chat.code}-during`, { signal })),
      );
      expectUnavailable(
        'MT',
        await timed('MT, Temporal down', MO_MT_TIMEOUT_MS, (signal) => chat.reply('during', { signal })),
      );
      expectUnavailable(
        'start',
        await timed('start, Temporal down', START_TIMEOUT_MS, (signal) =>
          acme.raw(`/v1/integrations/${idle.id}/start`, { method: 'POST', signal }),
        ),
      );
      // What needs no workflow still works.
      expect((await acme.get(`/v1/integrations/${idle.id}`)).body.status).toBe('INACTIVE');

      temporal = await startTemporal();
      await expect
        .poll(async () => (await apiClient(app.baseUrl).get('/readyz')).status, { timeout: 60_000, interval: 500 })
        .toBe(200);
      // The carrier's retry of the refused MO is taken, into the same chat, and delivered once.
      await retriedUntilAccepted(() => chat.inbound(`${chat.code}-during`));
      await expect.poll(chat.delivered, { timeout: 30_000 }).toEqual([`${chat.code}-open`, `${chat.code}-during`]);
      expect((await retriedUntilAccepted(() => chat.reply('after'))).body).toEqual({
        eventId: expect.any(String),
        chatId: expect.any(String),
      });
      const started = await acme.post(`/v1/integrations/${idle.id}/start`);
      expect(started.status, JSON.stringify(started.body)).toBe(200);
      expect(started.body).toEqual({ status: 'ACTIVE', partial: false, connections: [] });
    },
  );
});

describe('the database stopped under a running API', () => {
  it(
    'answers MO, MT and start 503 with an error body, /readyz 503, and recovers when the database is back',
    { timeout: 240_000 },
    async () => {
      const chat = await openChat();
      const idle = await createIntegration(acme, 'IdleToo', [], { url: `${receiver.url}/idle` });

      await mongo!.stop();
      mongo = undefined;

      const ready = await timed('readyz, database down', 15_000, (signal) =>
        apiClient(app.baseUrl).raw('/readyz', { signal }),
      );
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({
        status: 'not-ready',
        checks: { mongodb: { ok: false }, temporal: { ok: true } },
      });
      expectUnavailable(
        'MO',
        await timed('MO, database down', MO_MT_TIMEOUT_MS, (signal) => chat.inbound(`${chat.code}-during`, { signal })),
      );
      expectUnavailable(
        'MT',
        await timed('MT, database down', MO_MT_TIMEOUT_MS, (signal) => chat.reply('during', { signal })),
      );
      expectUnavailable(
        'start',
        await timed('start, database down', START_TIMEOUT_MS, (signal) =>
          acme.raw(`/v1/integrations/${idle.id}/start`, { method: 'POST', signal }),
        ),
      );
      expectUnavailable(
        'GET integration',
        await timed('GET integration, database down', MO_MT_TIMEOUT_MS, (signal) =>
          acme.raw(`/v1/integrations/${idle.id}`, { signal }),
        ),
      );

      mongo = await startMongo();
      await expect
        .poll(async () => (await apiClient(app.baseUrl).get('/readyz')).status, { timeout: 60_000, interval: 500 })
        .toBe(200);
      await retriedUntilAccepted(() => chat.inbound(`${chat.code}-during`));
      await expect.poll(chat.delivered, { timeout: 30_000 }).toEqual([`${chat.code}-open`, `${chat.code}-during`]);
      await retriedUntilAccepted(() => chat.reply('after'));
      const started = await acme.post(`/v1/integrations/${idle.id}/start`);
      expect(started.status, JSON.stringify(started.body)).toBe(200);
    },
  );
});
