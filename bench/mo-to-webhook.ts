/**
 * MO → client webhook through chathook (carrier inbound route → chat workflow → delivery
 * activity → loopback receiver), each figure beside a baseline measured in the same run:
 *   1. latency at a fixed rate vs a direct relay (same route work: render, sign, POST with undici, no Temporal);
 *   2. sustained MO/s vs Temporal's floor on the same server (signal + one no-op activity per message);
 *   3. the latency of 1 again with 1,000 chats open.
 * Latency is measured from each message's scheduled send time to its arrival at the receiver;
 * the receiver counts that every message arrived exactly once.
 * Usage: npx tsx bench/mo-to-webhook.ts [messages=300] [rate=25/s] [burst=600]
 */
import { Worker } from '@temporalio/worker';
import express from 'express';
import { createServer, type Server } from 'node:http';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Webhook } from 'standardwebhooks';
import { request, Agent } from 'undici';
import { renderWebhookRequest } from '../src/domain/render-webhook-request.js';
import type { WebhookTemplate } from '../src/domain/webhook-template.js';
import { DEFAULT_BODY } from '../src/domain/webhook-template.js';
import { generateSigningSecret } from '../src/platform/secrets.js';
import { apiClient } from '../test/support/harness.js';
import { startBenchEnvironment, summarize } from './bench-environment.js';
import { floorWorkflow, pingSignal } from './floor-workflow.js';

const MESSAGES = Number(process.argv[2] ?? 300);
const RATE = Number(process.argv[3] ?? 25);
const BURST = Number(process.argv[4] ?? 600);

/** Loopback receiver: records the arrival time of each message text (its id) and how often it came. */
async function startReceiver() {
  const arrivals = new Map<string, number[]>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const now = performance.timeOrigin + performance.now();
      const text = (JSON.parse(body || '{}') as { text?: string }).text ?? req.url ?? '';
      arrivals.set(text, [...(arrivals.get(text) ?? []), now]);
      res.writeHead(200).end();
    });
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, arrivals, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const wallNow = () => performance.timeOrigin + performance.now();
const sleepUntil = (at: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, at - wallNow())));

async function waitForArrivals(arrivals: Map<string, number[]>, ids: readonly string[], timeoutMs = 300_000) {
  const deadline = Date.now() + timeoutMs;
  while (ids.some((id) => !arrivals.has(id))) {
    if (Date.now() > deadline) throw new Error(`${ids.filter((id) => !arrivals.has(id)).length} messages never arrived`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  // At-least-once is what Temporal promises; a repeat here would carry the same webhook-id.
  return ids.filter((id) => arrivals.get(id)!.length !== 1).length;
}

const exactlyOnce = (duplicates: number) => (duplicates === 0 ? 'every message arrived exactly once' : `every message arrived; ${duplicates} arrived more than once`);

/** Open loop at `rate`/s: message i is due at start + i/rate whatever happened before. */
async function runAtRate(label: string, count: number, rate: number, send: (id: string, index: number) => Promise<number>, arrivals: Map<string, number[]>) {
  const ids = Array.from({ length: count }, (_, index) => `${label}-${index}`);
  const start = wallNow() + 200;
  const scheduled = new Map<string, number>();
  await Promise.all(
    ids.map(async (id, index) => {
      const due = start + (index * 1000) / rate;
      scheduled.set(id, due);
      await sleepUntil(due);
      const status = await send(id, index);
      if (status !== 202) throw new Error(`${label} ${id}: ${status}`);
    }),
  );
  const duplicates = await waitForArrivals(arrivals, ids);
  const latencies = ids.map((id) => arrivals.get(id)![0]! - scheduled.get(id)!);
  return `${summarize(label, latencies, wallNow() - start)}; ${exactlyOnce(duplicates)}`;
}

/** As fast as `concurrency` senders go; throughput = messages / (last arrival − first send). */
async function runBurst(label: string, count: number, concurrency: number, send: (id: string, index: number) => Promise<number>, arrivals: Map<string, number[]>) {
  const ids = Array.from({ length: count }, (_, index) => `${label}-${index}`);
  const started = wallNow();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < ids.length) {
        const index = next++;
        const status = await send(ids[index]!, index);
        if (status !== 202) throw new Error(`${label}: ${status}`);
      }
    }),
  );
  const duplicates = await waitForArrivals(arrivals, ids);
  const last = Math.max(...ids.map((id) => arrivals.get(id)![0]!));
  return `${label}: ${count} messages in ${((last - started) / 1000).toFixed(2)}s = ${((count / (last - started)) * 1000).toFixed(1)} msg/s (concurrency ${concurrency}; ${exactlyOnce(duplicates)})`;
}

const receiver = await startReceiver();
const bench = await startBenchEnvironment();
const lines: string[] = [`engine: ${bench.engine}; ${MESSAGES} messages at ${RATE}/s; burst ${BURST}`];
try {
  const CONTACTS = 50;
  const senders = Array.from({ length: 1 }, () => '141518');
  const connection = await bench.client.post('/v1/connections', { code: 'BENCH', channel: 'SMS', senders, carrier: { type: 'sandbox' } });
  const created = await bench.client.post('/v1/integrations', { alias: 'Bench', method: 'POST', url: `${receiver.url}/hook`, connections: [{ code: 'BENCH' }] });
  await bench.client.post(`/v1/integrations/${created.body.id}/start`);
  const carrier = apiClient(bench.baseUrl, connection.body.carrierSecret);
  const viaChathook = (contactBase: number, contacts: number) => async (id: string, index: number) =>
    (await carrier.post('/carriers/BENCH/inbound', { messageId: id, from: String(contactBase + (index % contacts)), to: '141518', text: id })).status;

  // Baseline: the same route work without Temporal: render, sign, POST with a pooled undici client.
  const template: WebhookTemplate = { method: 'POST', url: `${receiver.url}/hook`, params: [], auth: { type: 'NONE' }, headers: [], body: [...DEFAULT_BODY] };
  const signer = new Webhook(generateSigningSecret());
  const pool = new Agent({ connections: 64 });
  const relay = express();
  relay.use(express.json());
  relay.post('/relay', async (req, res) => {
    const body = req.body as { messageId: string; from: string; text: string };
    const rendered = renderWebhookRequest(template, { chatId: 'c', contact: body.from, event: 'MESSAGE', text: body.text, multimedia: { url: null, caption: null }, sender: '141518', channel: 'SMS', timestamp: new Date().toISOString() }, { userAgent: 'chathook-bench' });
    const at = new Date();
    const response = await request(rendered.url, { method: 'POST', dispatcher: pool, body: rendered.body, headers: { ...rendered.headers, 'webhook-id': body.messageId, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signer.sign(body.messageId, at, rendered.body ?? '') } });
    await response.body.dump();
    res.status(202).json({ ok: true });
  });
  const relayServer = await new Promise<Server>((resolve) => {
    const server = relay.listen(0, '127.0.0.1', () => resolve(server));
  });
  const relayClient = apiClient(`http://127.0.0.1:${(relayServer.address() as { port: number }).port}`);
  const viaRelay = async (id: string, index: number) => (await relayClient.post('/relay', { messageId: id, from: String(5_000_000_000 + (index % CONTACTS)), text: id })).status;

  // Warm-up: worker caches, connection pools.
  lines.push(`(warm-up) ${await runAtRate('warmup', 40, 20, viaChathook(5_100_000_000, 10), receiver.arrivals)}`);
  lines.push(await runAtRate('direct relay latency', MESSAGES, RATE, viaRelay, receiver.arrivals));
  lines.push(await runAtRate('chathook MO->webhook latency', MESSAGES, RATE, viaChathook(5_200_000_000, CONTACTS), receiver.arrivals));

  // Temporal's floor on the same server: one signal + one no-op activity per message, one workflow per contact.
  const floorQueue = 'bench-floor';
  const floorWorker = await Worker.create({
    connection: bench.temporal.nativeConnection,
    taskQueue: floorQueue,
    workflowsPath: fileURLToPath(new URL('./floor-workflow.ts', import.meta.url)),
    activities: {
      async noop(id: string) {
        receiver.arrivals.set(id, [...(receiver.arrivals.get(id) ?? []), wallNow()]);
      },
    },
  });
  const floorRun = floorWorker.run();
  const viaFloor = async (id: string, index: number) => {
    await bench.services.temporal.client.workflow.signalWithStart(floorWorkflow, {
      workflowId: `floor-${index % CONTACTS}`,
      taskQueue: floorQueue,
      signal: pingSignal,
      signalArgs: [id],
    });
    return 202;
  };
  lines.push(await runBurst('Temporal floor (signal + no-op activity)', BURST, 16, viaFloor, receiver.arrivals));
  lines.push(await runBurst('chathook sustained MO/s', BURST, 16, viaChathook(5_300_000_000, CONTACTS), receiver.arrivals));
  floorWorker.shutdown();
  await floorRun;

  // 1,000 chats open, then the latency run again.
  await runBurst('open', 1000, 16, async (id, index) => (await carrier.post('/carriers/BENCH/inbound', { messageId: id, from: String(5_400_000_000 + index), to: '141518', text: id })).status, receiver.arrivals);
  // Measure the steady state with 1,000 chats open, not the tail of opening them: wait until every
  // delivery attempt so far is recorded and every chat row written.
  const expectedDeliveries = 40 + MESSAGES + BURST + 1000;
  for (let waited = 0; waited < 600_000; waited += 1000) {
    const recorded = await bench.services.models.Delivery.countDocuments({ status: 'SUCCEEDED' });
    if (recorded >= expectedDeliveries) break;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  const open = await bench.services.models.Chat.countDocuments({ status: 'OPEN' });
  lines.push(`deliveries recorded before the run: ${await bench.services.models.Delivery.countDocuments({})}`);
  lines.push(`chats open: ${open}; process RSS ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MiB (API + worker + bench in one process)`);
  lines.push(await runAtRate('chathook MO->webhook latency, 1,000 chats open', MESSAGES, RATE, viaChathook(5_500_000_000, CONTACTS), receiver.arrivals));
  lines.push(await runAtRate('direct relay latency (again)', MESSAGES, RATE, viaRelay, receiver.arrivals));
  relayServer.close();
  await pool.close();
} finally {
  await bench.close();
  await receiver.close();
  process.stdout.write(`${lines.join('\n')}\n`);
}
