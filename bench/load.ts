/**
 * Load generation for the benches: a loopback receiver that records arrivals by message id,
 * an open loop (a fixed rate, latency from each message's scheduled send time, so a slow
 * system cannot slow its own load down) and a closed loop (N senders, as fast as answers come).
 * Every run checks that each message arrived exactly once.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';

export const wallNow = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const sleepUntil = (at: number) => sleep(Math.max(0, at - wallNow()));

export interface Receiver {
  url: string;
  /** id → arrival times (wall ms). */
  arrivals: Map<string, number[]>;
  close(): Promise<void>;
}

/** Records every request's arrival under `idOf(body)` (default: the JSON body's `text`), answers 200. */
export async function startReceiver(
  idOf: (body: any, headers: IncomingHttpHeaders) => string = (body) => String(body?.text),
): Promise<Receiver> {
  const arrivals = new Map<string, number[]>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const now = wallNow();
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      } catch {
        body = undefined;
      }
      const id = idOf(body, req.headers);
      const times = arrivals.get(id);
      if (times) times.push(now);
      else arrivals.set(id, [now]);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    arrivals,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

/** A pooled client for the load: fetch's default pool would queue the senders behind a few sockets. */
export const loadAgent = new Agent({ connections: 256, keepAliveTimeout: 30_000 });

/** POST with a bearer token and a JSON body; resolves with the status (the body is dropped). */
export async function postJson(
  url: string,
  token: string | undefined,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<number> {
  const response = await request(url, {
    method: 'POST',
    dispatcher: loadAgent,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: JSON.stringify(body),
  });
  await response.body.dump();
  return response.statusCode;
}

/** A carrier's MO callback: POST /carriers/<code>/inbound with the connection's carrier secret. */
export function sendMo(
  stack: { baseUrl: string },
  route: { code: string; sender: string; carrierSecret: string },
  message: { messageId: string; from: string; text: string },
): Promise<number> {
  return postJson(`${stack.baseUrl}/carriers/${encodeURIComponent(route.code)}/inbound`, route.carrierSecret, {
    ...message,
    to: route.sender,
  });
}

/** Sends message `id` (the `index`-th of the run); resolves with the HTTP status. */
export type Send = (id: string, index: number) => Promise<number>;

export interface DeliveryCheck {
  /** Messages whose send was answered with something other than `accept` (after retries). */
  rejected: number;
  /** 429/503 answers (and network errors, as 0) retried (the carrier's behaviour; the latency includes the wait). */
  retries: number;
  /** The retried answers by status. */
  retriedStatuses: Record<string, number>;
  /** Accepted but not arrived within the timeout. */
  missing: number;
  /** Arrived more than once. */
  duplicates: number;
}

export interface LatencySummary {
  n: number;
  p50: number;
  p99: number;
  mean: number;
  max: number;
}

export interface OpenLoopResult extends DeliveryCheck {
  label: string;
  rate: number;
  latency: LatencySummary;
  /** Messages sent / time from the first scheduled send to the last arrival. */
  throughput: number;
  /** Time from sending to the accepting answer (the 202), per message. */
  answer: LatencySummary;
  ids: string[];
}

export interface ClosedLoopResult extends DeliveryCheck {
  label: string;
  count: number;
  concurrency: number;
  /** count / (last arrival − first send), messages a second. */
  perSecond: number;
  wallMs: number;
  /** Time from sending to the accepting answer (the 202), per message. */
  answer: LatencySummary;
}

export function summarizeLatency(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, value) => sum + value, 0) / Math.max(1, sorted.length);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    mean,
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

interface SendOptions {
  /** Status that means accepted (default 202). */
  accept?: number;
  /** How long to wait for the last arrivals (default 300 s). */
  arrivalTimeoutMs?: number;
}

interface Counters {
  retries: number;
  retriedStatuses: Record<string, number>;
  rejected: number;
  firstRejection: string | undefined;
}

const newCounters = (): Counters => ({ retries: 0, retriedStatuses: {}, rejected: 0, firstRejection: undefined });

/** Sends, retrying 429/503 and network errors as a carrier would (backing off from 50 ms to 1 s), at most 20 times. */
async function sendAccepted(send: Send, id: string, index: number, accept: number, counters: Counters) {
  let lastError = '';
  for (let attempt = 0; ; attempt++) {
    let status: number;
    try {
      status = await send(id, index);
    } catch (error) {
      status = 0;
      lastError = ` (${(error as Error).message})`;
    }
    if (status === accept) return true;
    if ((status === 429 || status === 503 || status === 0) && attempt < 20) {
      counters.retries++;
      counters.retriedStatuses[status] = (counters.retriedStatuses[status] ?? 0) + 1;
      await sleep(Math.min(1000, 50 * 2 ** attempt));
      continue;
    }
    counters.rejected++;
    counters.firstRejection ??= `${id}: HTTP ${status}${lastError}`;
    return false;
  }
}

/** Waits until every accepted id arrived (or the timeout), then a little longer to catch repeats. */
export async function awaitArrivals(
  arrivals: Map<string, number[]>,
  ids: readonly string[],
  timeoutMs = 300_000,
): Promise<{ missing: number; duplicates: number }> {
  const deadline = Date.now() + timeoutMs;
  let pending = ids.filter((id) => !arrivals.has(id));
  while (pending.length > 0 && Date.now() < deadline) {
    await sleep(50);
    pending = pending.filter((id) => !arrivals.has(id));
  }
  await sleep(500);
  return { missing: pending.length, duplicates: ids.filter((id) => (arrivals.get(id)?.length ?? 0) > 1).length };
}

/** Open loop at `rate`/s: message i is due at start + i/rate, whatever happened before it. */
export async function runOpenLoop(
  options: { label: string; count: number; rate: number; send: Send; arrivals: Map<string, number[]> } & SendOptions,
): Promise<OpenLoopResult> {
  const { label, count, rate, send, arrivals } = options;
  const ids = Array.from({ length: count }, (_, index) => `${label}-${index}`);
  const start = wallNow() + 200;
  const due = ids.map((_, index) => start + (index * 1000) / rate);
  const counters = newCounters();
  const answers: number[] = [];
  const accepted = await Promise.all(
    ids.map(async (id, index) => {
      await sleepUntil(due[index]!);
      const sentAt = wallNow();
      const ok = await sendAccepted(send, id, index, options.accept ?? 202, counters);
      answers.push(wallNow() - sentAt);
      return ok;
    }),
  );
  const acceptedIds = ids.filter((_, index) => accepted[index]);
  const { missing, duplicates } = await awaitArrivals(arrivals, acceptedIds, options.arrivalTimeoutMs);
  const latencies: number[] = [];
  let lastArrival = start;
  ids.forEach((id, index) => {
    const first = arrivals.get(id)?.[0];
    if (first === undefined) return;
    latencies.push(first - due[index]!);
    lastArrival = Math.max(lastArrival, first);
  });
  if (counters.firstRejection) process.stderr.write(`${label}: first rejection ${counters.firstRejection}\n`);
  return {
    label,
    rate,
    latency: summarizeLatency(latencies),
    throughput: (latencies.length / Math.max(1, lastArrival - start)) * 1000,
    answer: summarizeLatency(answers),
    ids,
    retries: counters.retries,
    retriedStatuses: counters.retriedStatuses,
    rejected: counters.rejected,
    missing,
    duplicates,
  };
}

/** Runs `work(0 … count-1)` with at most `concurrency` in flight, each lane taking the next index when it is free. */
export async function forEachConcurrently(
  count: number,
  concurrency: number,
  work: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

/** Closed loop: `concurrency` senders, each sending its next message when the last was answered. */
export async function runClosedLoop(
  options: {
    label: string;
    count: number;
    concurrency: number;
    send: Send;
    arrivals: Map<string, number[]>;
  } & SendOptions,
): Promise<ClosedLoopResult> {
  const { label, count, concurrency, send, arrivals } = options;
  const ids = Array.from({ length: count }, (_, index) => `${label}-${index}`);
  const counters = newCounters();
  const answers: number[] = [];
  const accepted = new Array<boolean>(count).fill(false);
  const started = wallNow();
  await forEachConcurrently(count, concurrency, async (index) => {
    const sentAt = wallNow();
    accepted[index] = await sendAccepted(send, ids[index]!, index, options.accept ?? 202, counters);
    answers.push(wallNow() - sentAt);
  });
  const acceptedIds = ids.filter((_, index) => accepted[index]);
  const { missing, duplicates } = await awaitArrivals(arrivals, acceptedIds, options.arrivalTimeoutMs);
  const last = Math.max(started, ...acceptedIds.map((id) => arrivals.get(id)?.[0] ?? started));
  const arrived = acceptedIds.length - missing;
  if (counters.firstRejection) process.stderr.write(`${label}: first rejection ${counters.firstRejection}\n`);
  return {
    label,
    count,
    concurrency,
    perSecond: (arrived / Math.max(1, last - started)) * 1000,
    wallMs: last - started,
    answer: summarizeLatency(answers),
    retries: counters.retries,
    retriedStatuses: counters.retriedStatuses,
    rejected: counters.rejected,
    missing,
    duplicates,
  };
}

/** "exactly once" or what went wrong, for a table cell. */
export function deliveryVerdict(check: DeliveryCheck): string {
  const problems = [
    check.rejected ? `${check.rejected} rejected` : '',
    check.missing ? `${check.missing} missing` : '',
    check.duplicates ? `${check.duplicates} duplicated` : '',
  ].filter(Boolean);
  const statuses = Object.entries(check.retriedStatuses).map(
    ([status, count]) => `${count}× ${status === '0' ? 'network error' : status}`,
  );
  const retried = check.retries ? ` (retried ${statuses.join(', ')})` : '';
  return (problems.length === 0 ? 'each arrived exactly once' : problems.join(', ')) + retried;
}

/** One row of the bench's table: a figure beside its baseline from the same run, its target and whether it is met. */
export interface FigureRow {
  figure: string;
  chathook: string;
  baseline: string;
  target: string;
  met: string;
}

/** The markdown table run-all prints. */
export function figureTable(rows: readonly FigureRow[]): string {
  const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
  return [
    '| figure | chathook | baseline (same run) | target | met? |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((row) => `| ${[row.figure, row.chathook, row.baseline, row.target, row.met].map(cell).join(' | ')} |`),
  ].join('\n');
}
