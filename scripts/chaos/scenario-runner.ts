/**
 * Runs one scenario on a fresh stack (its own data directory, so no row inherits another's
 * backlog): provision, load + faults, drain, reconcile, measure; the stack is always torn down.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ChaosReceiver } from './chaos-receiver.js';
import { countListedDeliveries, provisionChaosRoute, type DeliveryStatusCounts } from './chaos-setup.js';
import { ChaosStack, type PeakRss } from './chaos-stack.js';
import { noFaultsFired, type FaultsFired, type Scenario } from './chaos-scenarios.js';
import { startLoad, type LoadRun, type ResponseTally } from './load-generator.js';
import { reconcile, undeliveredCount, type Ledger } from './loss-ledger.js';
import { measureWorkflowHistories, type HistorySizeReport } from './workflow-history-size.js';

export interface RunSettings {
  ratePerSecond: number;
  loadDurationMs: number;
  contacts: number;
  /** How long after the load and the fault ended every accepted message may take to arrive. */
  drainDeadlineMs: number;
  /** How long after the load the carrier keeps retrying a message that got 429/503/no answer. */
  retryWindowMs: number;
  /** Extra settings for the chathook processes. */
  env: Record<string, string>;
  /** Parent of the per-scenario data directories. */
  baseDir: string;
  keepData: boolean;
  log: (line: string) => void;
}

export interface ScenarioResult {
  scenario: string;
  summary: string;
  ratePerSecond: number;
  ledger: Ledger | undefined;
  tally: ResponseTally | undefined;
  /** From the end of the load and faults until every accepted message arrived; undefined = not within the deadline. */
  drainMs: number | undefined;
  drainDeadlineMs: number;
  history: HistorySizeReport | undefined;
  listed: DeliveryStatusCounts | undefined;
  rss: PeakRss | undefined;
  unexpectedExits: string[];
  /** What the faults did, and how many requests the receiver refused (its outages' effect). */
  faultsFired: FaultsFired;
  receiverRefused: number;
  error: string | undefined;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Late duplicates (a retry of a delivered request) get this long to show up once all arrived. */
const DUPLICATE_SETTLE_MS = 3_000;

/** A row before its run: nothing measured yet. */
export function emptyResult(
  scenario: string,
  summary: string,
  settings: Pick<RunSettings, 'ratePerSecond' | 'drainDeadlineMs'>,
): ScenarioResult {
  return {
    scenario,
    summary,
    ratePerSecond: settings.ratePerSecond,
    ledger: undefined,
    tally: undefined,
    drainMs: undefined,
    drainDeadlineMs: settings.drainDeadlineMs,
    history: undefined,
    listed: undefined,
    rss: undefined,
    unexpectedExits: [],
    faultsFired: noFaultsFired(),
    receiverRefused: 0,
    error: undefined,
  };
}

/** Logs stay for a post-mortem; the databases go. */
export function removeDatabases(dir: string): void {
  for (const data of ['temporal.sqlite', 'temporal.sqlite-wal', 'temporal.sqlite-shm', 'ferretdb', 'mongod'])
    rmSync(join(dir, data), { recursive: true, force: true });
}

/**
 * What every run records as it stops, whatever happened: refusals, peak memory, unexpected exits; then nothing is left
 * running.
 */
export async function tearDown(run: {
  stack: ChaosStack | undefined;
  receiver: ChaosReceiver;
  result: ScenarioResult;
  dir: string;
  keepData: boolean | undefined;
}): Promise<void> {
  const { stack, receiver, result } = run;
  result.receiverRefused = receiver.refused;
  if (stack) {
    stack.sampleRss();
    result.rss = stack.peakRss();
    result.unexpectedExits = stack.unexpectedExits();
    await stack.destroy();
  }
  await receiver.close();
  if (!run.keepData) removeDatabases(run.dir);
}

export async function runScenario(scenario: Scenario, settings: RunSettings): Promise<ScenarioResult> {
  const dir = join(settings.baseDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${scenario.name}`);
  const log = (line: string) => settings.log(`[${scenario.name}] ${line}`);
  const result = emptyResult(scenario.name, scenario.summary, settings);
  const receiver = await ChaosReceiver.start();
  let stack: ChaosStack | undefined;
  let load: LoadRun | undefined;
  try {
    log(`starting the stack in ${dir}`);
    stack = await ChaosStack.start({ dir, env: settings.env });
    const route = await provisionChaosRoute(stack.apiUrl, stack.adminKey, receiver.url);
    const running = stack;
    log(
      `load: ${settings.ratePerSecond}/s for ${settings.loadDurationMs / 1000} s from ${scenario.contacts ?? settings.contacts} contacts`,
    );
    const run = startLoad({
      baseUrl: () => running.apiUrl,
      route,
      label: scenario.name,
      ratePerSecond: settings.ratePerSecond,
      durationMs: settings.loadDurationMs,
      contacts: scenario.contacts ?? settings.contacts,
      textLength: scenario.textLength,
      retryWindowMs: settings.retryWindowMs,
    });
    load = run;
    result.tally = run.tally;
    let settled = false;
    void run.settled.then(() => (settled = true));
    const faultsEnded = Promise.all(
      scenario.faults.map((fault) =>
        fault({
          stack: running,
          receiver,
          loadDurationMs: settings.loadDurationMs,
          fired: result.faultsFired,
          at: (offset) => sleep(run.startedAt + offset - Date.now()),
          log,
        }),
      ),
    ).then(() => Date.now());
    const drainStart = Math.max(await run.sent, await faultsEnded);
    log(`load and faults over; draining (deadline ${settings.drainDeadlineMs / 1000} s)`);
    while (Date.now() < drainStart + settings.drainDeadlineMs) {
      if (settled && undeliveredCount(run.outcomes, receiver) === 0) {
        result.drainMs = Date.now() - drainStart;
        break;
      }
      await sleep(250);
    }
    if (result.drainMs !== undefined) await sleep(DUPLICATE_SETTLE_MS);
    result.ledger = reconcile(run.outcomes, receiver);
    log(
      `drained: ${result.drainMs === undefined ? 'NO' : `${(result.drainMs / 1000).toFixed(1)} s`}; lost ${result.ledger.lost.length}, duplicates ${result.ledger.duplicates.length}`,
    );
    result.listed = await countListedDeliveries(stack.apiUrl, route).catch((error: unknown) => {
      log(`deliveries not listed: ${(error as Error).message}`);
      return undefined;
    });
    result.history = await measureWorkflowHistories(stack.temporalAddress).catch((error: unknown) => {
      log(`history size not measured: ${(error as Error).message}`);
      return undefined;
    });
  } catch (error) {
    result.error = (error as Error).message.split('\n')[0];
    log(`failed: ${(error as Error).stack ?? String(error)}`);
  } finally {
    load?.stop();
    await tearDown({ stack, receiver, result, dir, keepData: settings.keepData });
  }
  return result;
}

/**
 * MO → webhook throughput of this machine: closed loop (16 carriers sending back to back)
 * for `durationMs`, counted at the receiver.
 */
export async function measureCapacity(
  settings: Pick<RunSettings, 'baseDir' | 'env' | 'contacts' | 'log'>,
  durationMs: number,
): Promise<number> {
  const receiver = await ChaosReceiver.start();
  let stack: ChaosStack | undefined;
  const dir = join(settings.baseDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-capacity`);
  try {
    stack = await ChaosStack.start({ dir, env: settings.env });
    const route = await provisionChaosRoute(stack.apiUrl, stack.adminKey, receiver.url);
    const started = Date.now();
    let index = 0;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      ...(route.carrierSecret ? { authorization: `Bearer ${route.carrierSecret}` } : {}),
    };
    const apiUrl = stack.apiUrl;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (Date.now() < started + durationMs) {
          const messageId = `capacity-${index++}`;
          const from = String(5_491_100_000_000 + (index % settings.contacts));
          await fetch(`${apiUrl}/carriers/${route.connectionCode}/inbound`, {
            method: 'POST',
            headers,
            body: JSON.stringify({ messageId, from, to: route.sender, text: messageId }),
          }).then(
            (response) => response.body?.cancel(),
            () => undefined,
          );
        }
      }),
    );
    // Everything sent must arrive; the rate is what reached the receiver over the whole span.
    const deadline = Date.now() + 120_000;
    while (receiver.accepted.size < index && Date.now() < deadline) await sleep(250);
    const last = Math.max(...[...receiver.accepted.values()].map((request) => request.firstAt));
    const capacity = (receiver.accepted.size / (last - started)) * 1_000;
    settings.log(
      `capacity: ${receiver.accepted.size} of ${index} messages delivered at ${capacity.toFixed(1)} MO/s (16 concurrent senders, ${durationMs / 1000} s)`,
    );
    return capacity;
  } finally {
    await stack?.destroy();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
