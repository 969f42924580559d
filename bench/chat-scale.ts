/**
 * Many open chats: MO→webhook latency and memory with N chats open, beside the same with 100.
 *   1. open 100 chats (first message of 100 contacts, 16 concurrent); latency at a modest open-loop
 *      rate to those chats; RSS of the API + worker process;
 *   2. open N − 100 more (the opening rate, chats/s, is measured here, at scale); RSS again;
 *      memory per open chat = (RSS at N − RSS at 100) / (N − 100);
 *   3. latency again, messages spread over all N chats: those opened longest ago were evicted
 *      from the worker's cache (WORKER_MAX_CACHED_WORKFLOWS, reported) and are replayed;
 *   4. messages to open chats, 16 concurrent, beside the opening rate of 2 (opening a chat should
 *      cost at most 1.5× a message to an open chat).
 * Usage: npx tsx bench/chat-scale.ts [openChats=1000] [workerCache=openChats/2, the product's default (1,000) from
 * 10,000 on] [rate=10] [messages=200]
 */
import { pathToFileURL } from 'node:url';
import { startEmbeddedStack, type BenchStack, type ChatRoute } from './embedded-stack.js';
import {
  deliveryVerdict,
  runClosedLoop,
  runOpenLoop,
  sendMo,
  startReceiver,
  type OpenLoopResult,
  type Send,
} from './load.js';
import { printRows, type BenchRow } from './temporal-actions.js';

export interface ChatScaleOptions {
  /** Chats open for the second latency run (default 1,000; the figure is 10,000). */
  openChats?: number;
  /** Chats open for the baseline latency run (default 100). */
  baselineChats?: number;
  /** Open-loop rate of the latency runs, messages a second (default 10). */
  rate?: number;
  /** Messages per latency run (default 200). */
  messages?: number;
  /** Concurrent senders while opening chats and in the closed loop (default 16). */
  concurrency?: number;
}

/** The worker's cache when the stack's environment does not set it (src/platform/config.ts). */
const DEFAULT_WORKER_CACHE = 1_000;
const SETTLE_MS = 3_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const contactOf = (index: number) => `54911${String(8_000_000 + index).padStart(8, '0')}`;
const ms = (value: number) => `${value.toFixed(1)} ms`;
const latencyCell = (run: OpenLoopResult) =>
  `p50 ${ms(run.latency.p50)}, p99 ${ms(run.latency.p99)} (n=${run.latency.n}; ${deliveryVerdict(run)})`;

export async function benchChatScale(stack: BenchStack, options: ChatScaleOptions = {}): Promise<BenchRow[]> {
  const openChats = options.openChats ?? 1_000;
  const baselineChats = options.baselineChats ?? 100;
  const rate = options.rate ?? 10;
  const messages = options.messages ?? 200;
  const concurrency = options.concurrency ?? 16;
  if (openChats <= baselineChats)
    throw new Error(`openChats (${openChats}) must exceed baselineChats (${baselineChats})`);
  const workerCache = Number(stack.env.WORKER_MAX_CACHED_WORKFLOWS ?? DEFAULT_WORKER_CACHE);

  const receiver = await startReceiver();
  try {
    const route: ChatRoute = await stack.provisionChatRoute({
      code: 'SCALE',
      sender: '42001',
      webhookUrl: `${receiver.url}/hook`,
    });
    const { arrivals } = receiver;
    const toContact =
      (contactIndex: (index: number) => number): Send =>
      (id, index) =>
        sendMo(stack, route, { messageId: id, from: contactOf(contactIndex(index)), text: id });

    // 1. The baseline: 100 chats open.
    const openedFirst = await runClosedLoop({
      label: 'scale-open-a',
      count: baselineChats,
      concurrency,
      send: toContact((index) => index),
      arrivals,
    });
    await sleep(SETTLE_MS);
    const memoryAtBaseline = await stack.memory();
    const atBaseline = await runOpenLoop({
      label: 'scale-at-baseline',
      count: messages,
      rate,
      send: toContact((index) => index % baselineChats),
      arrivals,
    });

    // 2. N open: the opening rate is taken here, with the chats already open growing.
    const opened = await runClosedLoop({
      label: 'scale-open-b',
      count: openChats - baselineChats,
      concurrency,
      send: toContact((index) => baselineChats + index),
      arrivals,
    });
    await sleep(SETTLE_MS);
    const memoryAtScale = await stack.memory();

    // 3. Spread over all N chats: the least recently used (opened first) were evicted from the cache.
    const spread = (index: number) => Math.floor(((index + 0.5) * openChats) / messages) % openChats;
    const evictedFrom = Math.max(0, openChats - workerCache);
    const toEvicted = Array.from({ length: messages }, (_, index) => spread(index)).filter(
      (contact) => contact < evictedFrom,
    ).length;
    const atScale = await runOpenLoop({
      label: 'scale-at-n',
      count: messages,
      rate,
      send: toContact(spread),
      arrivals,
    });

    // 4. Messages to open chats as fast as 16 senders go, beside the opening rate.
    const toOpen = await runClosedLoop({
      label: 'scale-to-open',
      count: Math.min(openChats, 400),
      concurrency,
      send: toContact((index) => spread(index)),
      arrivals,
    });

    const perChatKiB = (memoryAtScale.chathookKiB - memoryAtBaseline.chathookKiB) / (openChats - baselineChats);
    const perChat = (field: 'temporalKiB' | 'ferretKiB') =>
      ((memoryAtScale[field] - memoryAtBaseline[field]) / (openChats - baselineChats)).toFixed(1);
    const p99Limit = 1.2 * atBaseline.latency.p99;
    const openCostRatio = toOpen.perSecond / opened.perSecond;
    const mib = (kib: number) => `${(kib / 1024).toFixed(0)} MiB`;
    return [
      {
        figure: `MO→webhook latency, ${baselineChats} chats open (open loop ${rate}/s)`,
        chathook: latencyCell(atBaseline),
        baseline: '—',
        target: 'the baseline of the next row',
        met: null,
      },
      {
        figure: `MO→webhook latency, ${openChats} chats open (open loop ${rate}/s; worker cache ${workerCache}; ${toEvicted} of ${messages} messages to chats evicted from it)`,
        chathook: latencyCell(atScale),
        baseline: `p99 ${ms(atBaseline.latency.p99)} with ${baselineChats} open`,
        target: `p99 ≤ 1.2× = ${ms(p99Limit)}`,
        met: atScale.latency.p99 <= p99Limit && atScale.missing + atScale.rejected === 0,
      },
      {
        figure: `RSS per open chat, API + worker (${baselineChats} → ${openChats} chats; worker cache ${workerCache})`,
        chathook: `${perChatKiB.toFixed(1)} KiB (${mib(memoryAtBaseline.chathookKiB)} → ${mib(memoryAtScale.chathookKiB)})`,
        baseline: `Temporal server ${perChat('temporalKiB')} KiB, FerretDB ${perChat('ferretKiB')} KiB per chat`,
        target: '≤ 100 KiB',
        met: perChatKiB <= 100,
      },
      {
        figure: `opening chats (first message of a new contact, ${concurrency} concurrent, ${baselineChats} → ${openChats} open)`,
        chathook: `${opened.perSecond.toFixed(1)} chats/s (first ${baselineChats}: ${openedFirst.perSecond.toFixed(1)}/s; ${deliveryVerdict(opened)})`,
        baseline: `messages to open chats, ${concurrency} concurrent: ${toOpen.perSecond.toFixed(1)} msg/s (${deliveryVerdict(toOpen)})`,
        target: `opening ≤ 1.5× a message: ${openCostRatio.toFixed(2)}×`,
        met: openCostRatio <= 1.5,
      },
    ];
  } finally {
    await receiver.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const openChats = Number(process.argv[2] ?? 1_000);
  const workerCache = Number(
    process.argv[3] ?? (openChats >= 10_000 ? DEFAULT_WORKER_CACHE : Math.round(openChats / 2)),
  );
  const stack = await startEmbeddedStack({ env: { WORKER_MAX_CACHED_WORKFLOWS: String(workerCache) } });
  try {
    printRows(
      await benchChatScale(stack, {
        openChats,
        rate: Number(process.argv[4] ?? 10),
        messages: Number(process.argv[5] ?? 200),
      }),
    );
  } finally {
    await stack.stop();
  }
}
