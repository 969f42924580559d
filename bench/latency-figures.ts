/**
 * Issue 12's throughput and latency figures on the embedded default, each beside a baseline
 * measured in the same run:
 *   1. sustained MO/s (closed loop, 16 senders, chats already open) vs Temporal's floor on the
 *      same server: signal-with-start + one no-op activity per message (bench/floor-workflow.ts);
 *   2. MO→webhook latency (open loop) at 20 %, 50 %, 80 % of the capacity of 1, vs a direct
 *      relay doing the same route work without Temporal (render, sign, undici POST);
 *   3. MT (response webhook → loopback http carrier) at 20 %, vs a direct POST to that carrier;
 *   4. the first message of new contacts (a chat opens) vs messages to open chats, same rate.
 */
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import express from 'express';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { Webhook } from 'standardwebhooks';
import { request } from 'undici';
import { renderWebhookRequest } from '../src/domain/render-webhook-request.js';
import { DEFAULT_BODY, type WebhookTemplate } from '../src/domain/webhook-template.js';
import { generateSigningSecret } from '../src/platform/secrets.js';
import type { BenchStack, ChatRoute } from './embedded-stack.js';
import { floorWorkflow, pingSignal } from './floor-workflow.js';
import {
  deliveryVerdict,
  loadAgent,
  postJson,
  runClosedLoop,
  runOpenLoop,
  sendMo,
  startReceiver,
  wallNow,
  type ClosedLoopResult,
  type FigureRow,
  type LatencySummary,
  type OpenLoopResult,
} from './load.js';

export interface LatencyOptions {
  /** Messages per closed-loop run (row 1). */
  burst: number;
  /** Concurrent senders in the closed loop. */
  concurrency: number;
  /** Contacts with chats open that the MO load is spread across. */
  contacts: number;
  /** Seconds each open-loop run lasts (its count = rate × seconds, at least minCount). */
  seconds: number;
  minCount: number;
  /** New contacts for row 4. */
  opens: number;
  /** Chats open on the http-carrier route that MT replies go into. */
  mtContacts: number;
}

export const LATENCY_DEFAULTS: LatencyOptions = {
  burst: 600,
  concurrency: 16,
  contacts: 50,
  seconds: 20,
  minCount: 100,
  opens: 100,
  mtContacts: 20,
};
export const LATENCY_FULL: LatencyOptions = {
  burst: 3000,
  concurrency: 16,
  contacts: 50,
  seconds: 60,
  minCount: 300,
  opens: 500,
  mtContacts: 50,
};

const MO_SENDER = '141518';
const MT_SENDER = '141519';
const FLOOR_QUEUE = 'bench-floor';

const ms = (value: number) => (value < 10 ? value.toFixed(1) : value.toFixed(0));
const p50p99 = (latency: LatencySummary) => `p50 ${ms(latency.p50)} ms, p99 ${ms(latency.p99)} ms`;
const exact = (check: OpenLoopResult | ClosedLoopResult) => `; ${deliveryVerdict(check)}`;
const yesNo = (met: boolean) => (met ? 'yes' : 'no');

/**
 * The route work of a webhook delivery without Temporal or the database: render, sign, POST with a pooled undici
 * client.
 */
async function startDirectRelay(
  webhookUrl: string,
): Promise<{ send: (id: string, contact: string) => Promise<number>; close(): Promise<void> }> {
  const template: WebhookTemplate = {
    method: 'POST',
    url: webhookUrl,
    params: [],
    auth: { type: 'NONE' },
    headers: [],
    body: [...DEFAULT_BODY],
  };
  const signer = new Webhook(generateSigningSecret());
  const relay = express();
  relay.use(express.json());
  relay.post('/relay', async (req, res) => {
    const body = req.body as { messageId: string; from: string; text: string };
    const event = {
      chatId: 'c',
      contact: body.from,
      event: 'MESSAGE' as const,
      text: body.text,
      multimedia: { url: null, caption: null },
      sender: MO_SENDER,
      channel: 'SMS' as const,
      timestamp: new Date().toISOString(),
    };
    const rendered = renderWebhookRequest(template, event, { userAgent: 'chathook-bench' });
    const at = new Date();
    const headers = {
      ...rendered.headers,
      'webhook-id': body.messageId,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signer.sign(body.messageId, at, rendered.body ?? ''),
    };
    const response = await request(rendered.url, {
      method: 'POST',
      dispatcher: loadAgent,
      body: rendered.body,
      headers,
    });
    await response.body.dump();
    res.status(response.statusCode === 200 ? 202 : 502).json({ ok: response.statusCode === 200 });
  });
  const server = await new Promise<Server>((resolve) => {
    const listening = relay.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/relay`;
  return {
    send: (id, contact) => postJson(url, undefined, { messageId: id, from: contact, text: id }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Temporal's floor for the chat path, on the stack's own Temporal server: a worker of its own in this process. */
async function startFloor(stack: BenchStack, arrivals: Map<string, number[]>) {
  try {
    // The SDK's info lines (the workflow bundle's webpack report) would bury the bench's own.
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // A runtime is already installed (a second run in this process): keep it.
  }
  const nativeConnection = await NativeConnection.connect({ address: stack.temporalAddress });
  const worker = await Worker.create({
    connection: nativeConnection,
    namespace: stack.namespace,
    taskQueue: FLOOR_QUEUE,
    workflowsPath: fileURLToPath(new URL('./floor-workflow.ts', import.meta.url)),
    activities: {
      async noop(id: string) {
        const times = arrivals.get(id);
        if (times) times.push(wallNow());
        else arrivals.set(id, [wallNow()]);
      },
    },
  });
  const running = worker.run();
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const client = new Client({ connection, namespace: stack.namespace });
  return {
    send: async (id: string, contact: string) => {
      await client.workflow.signalWithStart(floorWorkflow, {
        workflowId: `floor-${contact}`,
        taskQueue: FLOOR_QUEUE,
        signal: pingSignal,
        signalArgs: [id],
      });
      return 202;
    },
    async close() {
      worker.shutdown();
      await running;
      await connection.close();
      await nativeConnection.close();
    },
  };
}

export interface LatencyFiguresResult {
  rows: FigureRow[];
  /** chathook's sustained MO/s (row 1): what the other suites may scale their load to. */
  capacity: number;
  notes: string[];
}

/** Runs rows 1–4 against a started embedded stack (it provisions its own routes on it). */
export async function latencyFigures(
  stack: BenchStack,
  options: LatencyOptions,
  log: (line: string) => void,
): Promise<LatencyFiguresResult> {
  const webhook = await startReceiver();
  const carrier = await startReceiver((body: { text?: string }) => String(body?.text));
  const relay = await startDirectRelay(`${webhook.url}/hook`);
  const floor = await startFloor(stack, webhook.arrivals);
  const notes: string[] = [];
  const note = (line: string) => {
    notes.push(line);
    log(line);
  };
  try {
    const mo = await stack.provisionChatRoute({
      code: 'BENCH-MO',
      sender: MO_SENDER,
      webhookUrl: `${webhook.url}/hook`,
    });
    const mt = await stack.provisionChatRoute({
      code: 'BENCH-MT',
      sender: MT_SENDER,
      webhookUrl: `${webhook.url}/hook`,
      carrierUrl: `${carrier.url}/mt`,
    });
    const contact = (base: number, index: number) => String(base + index);
    const OPEN = 5_100_000_000;
    const viaChathook = (route: ChatRoute, base: number, contacts: number) => (id: string, index: number) =>
      sendMo(stack, route, { messageId: id, from: contact(base, index % contacts), text: id });
    const throughFloor = (id: string, index: number) => floor.send(id, contact(OPEN, index % options.contacts));
    const throughRelay = (id: string, index: number) => relay.send(id, contact(OPEN, index % options.contacts));
    const countAt = (rate: number) => Math.max(options.minCount, Math.round(rate * options.seconds));

    // Chats open before anything is measured (one message per contact), caches and pools warm.
    const opened = await runClosedLoop({
      label: 'open',
      count: options.contacts,
      concurrency: options.concurrency,
      send: viaChathook(mo, OPEN, options.contacts),
      arrivals: webhook.arrivals,
    });
    note(`warm-up: ${options.contacts} chats opened at ${opened.perSecond.toFixed(1)}/s (${deliveryVerdict(opened)})`);
    const warm = await runClosedLoop({
      label: 'warm',
      count: options.contacts * 2,
      concurrency: options.concurrency,
      send: viaChathook(mo, OPEN, options.contacts),
      arrivals: webhook.arrivals,
    });
    note(`warm-up: ${warm.count} messages to open chats at ${warm.perSecond.toFixed(1)}/s (${deliveryVerdict(warm)})`);
    await runClosedLoop({
      label: 'floor-warm',
      count: options.contacts * 3,
      concurrency: options.concurrency,
      send: throughFloor,
      arrivals: webhook.arrivals,
    });
    await runOpenLoop({ label: 'relay-warm', count: 50, rate: 50, send: throughRelay, arrivals: webhook.arrivals });

    // 1. Sustained MO/s vs the floor.
    const floorCpuBefore = { server: await stack.cpu(), bench: process.cpuUsage() };
    const floorRun = await runClosedLoop({
      label: 'floor',
      count: options.burst,
      concurrency: options.concurrency,
      send: throughFloor,
      arrivals: webhook.arrivals,
    });
    const floorServerMs = ((await stack.cpu()).temporalMs - floorCpuBefore.server.temporalMs) / options.burst;
    const floorBench = process.cpuUsage(floorCpuBefore.bench);
    // The floor's worker and its client run in this bench process, beside the load and the receiver.
    note(
      `CPU per message of the floor: Temporal server ${floorServerMs.toFixed(1)} ms; bench process (floor worker + load + receiver) ${((floorBench.user + floorBench.system) / 1000 / options.burst).toFixed(1)} ms`,
    );
    const cpuBefore = await stack.cpu();
    const benchCpuBefore = process.cpuUsage();
    const sustained = await runClosedLoop({
      label: 'sustained',
      count: options.burst,
      concurrency: options.concurrency,
      send: viaChathook(mo, OPEN, options.contacts),
      arrivals: webhook.arrivals,
    });
    const cpuAfter = await stack.cpu();
    const capacity = sustained.perSecond;
    // CPU per MO while saturated, by process (the capacity model of README "Scaling out").
    const perMo = (key: keyof typeof cpuAfter) => ((cpuAfter[key] - cpuBefore[key]) / options.burst).toFixed(1);
    const benchCpu = process.cpuUsage(benchCpuBefore);
    note(
      `CPU per MO at saturation: chathook (API + worker) ${perMo('chathookMs')} ms, Temporal server ${perMo('temporalMs')} ms, FerretDB ${perMo('ferretMs')} ms; bench process (load + receiver) ${((benchCpu.user + benchCpu.system) / 1000 / options.burst).toFixed(1)} ms`,
    );
    const ratio = capacity / floorRun.perSecond;
    note(
      `row 1: chathook ${capacity.toFixed(1)} msg/s (202 answered in p50 ${ms(sustained.answer.p50)} ms, p99 ${ms(sustained.answer.p99)} ms); floor ${floorRun.perSecond.toFixed(1)} msg/s (${deliveryVerdict(floorRun)})`,
    );
    const rows: FigureRow[] = [
      {
        figure: `Sustained MO/s: ${options.concurrency} concurrent senders, closed loop, ${options.burst} messages across ${options.contacts} open chats`,
        chathook: `${capacity.toFixed(1)} msg/s${exact(sustained)}`,
        baseline: `Temporal floor (signal-with-start + 1 no-op activity): ${floorRun.perSecond.toFixed(1)} msg/s`,
        target: '≥ 0.8× floor',
        met: `${ratio.toFixed(2)}× → ${yesNo(ratio >= 0.8)}`,
      },
    ];

    // 2. MO→webhook latency at fractions of that capacity, each beside the relay at the same rate.
    for (const fraction of [0.2, 0.5, 0.8]) {
      const rate = capacity * fraction;
      const count = countAt(rate);
      const label = `${Math.round(fraction * 100)} %`;
      const baseline = await runOpenLoop({
        label: `relay-${fraction}`,
        count,
        rate,
        send: throughRelay,
        arrivals: webhook.arrivals,
      });
      const measured = await runOpenLoop({
        label: `mo-${fraction}`,
        count,
        rate,
        send: viaChathook(mo, OPEN, options.contacts),
        arrivals: webhook.arrivals,
      });
      note(
        `row 2 at ${label}: ${count} messages at ${rate.toFixed(1)}/s: chathook ${p50p99(measured.latency)} (max ${ms(measured.latency.max)}; its 202 answered in ${p50p99(measured.answer)}), relay ${p50p99(baseline.latency)}`,
      );
      const firstLevel = fraction === 0.2;
      rows.push({
        figure: `MO→webhook latency, open loop at ${label} of capacity (${rate.toFixed(1)} msg/s, ${count} messages, ${options.contacts} chats)`,
        chathook: `${p50p99(measured.latency)}${exact(measured)}`,
        baseline: `direct relay (render, sign, undici POST): ${p50p99(baseline.latency)}`,
        target: firstLevel ? 'p50 ≤ 25 ms, p99 ≤ 100 ms' : '(reported)',
        met: firstLevel
          ? yesNo(measured.latency.p50 <= 25 && measured.latency.p99 <= 100 && measured.missing === 0)
          : '—',
      });
    }
    const lowRate = capacity * 0.2;

    // 3. MT: the client's reply through the response webhook to a loopback http carrier.
    const MT_BASE = 5_200_000_000;
    await runClosedLoop({
      label: 'mt-open',
      count: options.mtContacts,
      concurrency: options.concurrency,
      send: viaChathook(mt, MT_BASE, options.mtContacts),
      arrivals: webhook.arrivals,
    });
    const reply = (id: string, index: number) =>
      postJson(
        `${stack.baseUrl}/integrations/live-chat/${mt.integrationId}/chats/${contact(MT_BASE, index % options.mtContacts)}/events`,
        mt.responseToken,
        {
          type: 'MESSAGE',
          channel: { type: 'SMS', route: MT_SENDER, connection: mt.code },
          msg: id,
        },
      );
    const directToCarrier = (id: string, index: number) =>
      postJson(`${carrier.url}/mt`, mt.carrierSecret, {
        id,
        channel: 'SMS',
        connection: mt.code,
        from: MT_SENDER,
        to: contact(MT_BASE, index % options.mtContacts),
        text: id,
      }).then((status) => (status === 200 ? 202 : status));
    await runOpenLoop({
      label: 'mt-warm',
      count: options.mtContacts,
      rate: lowRate,
      send: reply,
      arrivals: carrier.arrivals,
    });
    const mtCount = countAt(lowRate);
    const mtBaseline = await runOpenLoop({
      label: 'carrier-direct',
      count: mtCount,
      rate: lowRate,
      send: directToCarrier,
      arrivals: carrier.arrivals,
    });
    const mtRun = await runOpenLoop({
      label: 'mt',
      count: mtCount,
      rate: lowRate,
      send: reply,
      arrivals: carrier.arrivals,
    });
    note(
      `row 3: ${mtCount} replies at ${lowRate.toFixed(1)}/s into ${options.mtContacts} chats: chathook ${p50p99(mtRun.latency)} (max ${ms(mtRun.latency.max)}; its 202 answered in ${p50p99(mtRun.answer)}), direct ${p50p99(mtBaseline.latency)}`,
    );
    rows.push({
      figure: `MT latency (response webhook → http carrier) at 20 % (${lowRate.toFixed(1)} msg/s, ${mtCount} replies, ${options.mtContacts} chats)`,
      chathook: `${p50p99(mtRun.latency)}${exact(mtRun)}`,
      baseline: `direct undici POST to the carrier: ${p50p99(mtBaseline.latency)}`,
      target: 'p99 ≤ 50 ms',
      met: yesNo(mtRun.latency.p99 <= 50 && mtRun.missing === 0),
    });

    // 4. Opening a chat vs a message to an open chat, same rate, same count.
    const NEW = 5_300_000_000;
    const toOpen = await runOpenLoop({
      label: 'to-open',
      count: options.opens,
      rate: lowRate,
      send: viaChathook(mo, OPEN, options.contacts),
      arrivals: webhook.arrivals,
    });
    const opens = await runOpenLoop({
      label: 'new-chat',
      count: options.opens,
      rate: lowRate,
      send: (id, index) => sendMo(stack, mo, { messageId: id, from: contact(NEW, index), text: id }),
      arrivals: webhook.arrivals,
    });
    const openRatio = Math.max(opens.latency.p50 / toOpen.latency.p50, opens.latency.p99 / toOpen.latency.p99);
    note(
      `row 4: ${options.opens} new chats at ${lowRate.toFixed(1)}/s: ${p50p99(opens.latency)} (202 in ${p50p99(opens.answer)}); messages to open chats ${p50p99(toOpen.latency)} (202 in ${p50p99(toOpen.answer)})`,
    );
    rows.push({
      figure: `Chat open: first message of ${options.opens} new contacts at ${lowRate.toFixed(1)} msg/s, MO→webhook`,
      chathook: `${p50p99(opens.latency)}${exact(opens)}`,
      baseline: `messages to open chats, same rate: ${p50p99(toOpen.latency)}`,
      target: 'open ≤ 1.5× message (p50 and p99)',
      met: `${(opens.latency.p50 / toOpen.latency.p50).toFixed(2)}× / ${(opens.latency.p99 / toOpen.latency.p99).toFixed(2)}× → ${yesNo(openRatio <= 1.5 && opens.missing === 0)}`,
    });
    return { rows, capacity, notes };
  } finally {
    await floor.close();
    await relay.close();
    await carrier.close();
    await webhook.close();
  }
}
