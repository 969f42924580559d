/**
 * The faults the harness injects and the scenarios (rows) made of them. A fault runs beside
 * the load; its end (or the load's, whichever is later) starts the drain clock.
 */
import type { ChaosReceiver } from './chaos-receiver.js';
import type { ChaosStack } from './chaos-stack.js';

/** What the faults of a run actually did: a run whose fault never fired proves nothing. */
export interface FaultsFired {
  workerKills: number;
  receiverOutages: number;
  temporalKills: number;
  fullStops: number;
}

export const noFaultsFired = (): FaultsFired => ({
  workerKills: 0,
  receiverOutages: 0,
  temporalKills: 0,
  fullStops: 0,
});

export interface FaultContext {
  stack: ChaosStack;
  receiver: ChaosReceiver;
  loadDurationMs: number;
  /** Each fault counts itself here once it happened. */
  fired: FaultsFired;
  /** Sleeps until `offsetMs` after the load started. */
  at(offsetMs: number): Promise<void>;
  log(line: string): void;
}

export type Fault = (context: FaultContext) => Promise<void>;

export interface Scenario {
  name: string;
  summary: string;
  faults: Fault[];
  contacts?: number;
  textLength?: number;
}

export interface ScenarioParameters {
  /** Length of the long receiver outage (the issue asks for 2 minutes). */
  outageMs: number;
  killIntervalMs: number;
}

/**
 * SIGKILLs worker `index` every `intervalMs` (first at `firstAtMs`, default half an interval) during the load and
 * restarts it at once.
 */
export const killWorkerEvery =
  (intervalMs: number, index = 0, firstAtMs = intervalMs / 2): Fault =>
  async (context) => {
    for (let offset = firstAtMs; offset < context.loadDurationMs; offset += intervalMs) {
      await context.at(offset);
      const worker = context.stack.workers[index]!;
      context.log(`SIGKILL ${worker.options.name}`);
      await worker.stop('SIGKILL');
      context.fired.workerKills += 1;
      await worker.start();
      context.log(`${worker.options.name} running again`);
    }
  };

/** SIGKILLs the Temporal dev server at `fraction` of the load and starts it again on the same database file. */
export const killTemporalAt =
  (fraction: number): Fault =>
  async (context) => {
    await context.at(context.loadDurationMs * fraction);
    context.log('SIGKILL the Temporal dev server');
    await context.stack.killTemporal('SIGKILL');
    context.fired.temporalKills += 1;
    await context.stack.startTemporal();
    context.log('Temporal dev server running again (same database file)');
  };

/** The receiver refuses (503) or throttles (429, Retry-After: 0) from `startMs` for `lengthMs`. */
export const receiverOutage =
  (kind: 'unavailable' | 'throttled', startMs: (loadDurationMs: number) => number, lengthMs: number): Fault =>
  async (context) => {
    await context.at(startMs(context.loadDurationMs));
    context.log(`receiver ${kind} for ${lengthMs / 1000} s`);
    context.receiver.setMode({ kind });
    await new Promise((resolve) => setTimeout(resolve, lengthMs));
    context.receiver.setMode({ kind: 'ok' });
    context.fired.receiverOutages += 1;
    context.log('receiver answers 200 again');
  };

/** `signal` to every process at `fraction` of the load, then everything started again on the same files. */
export const stopEverythingAt =
  (fraction: number, signal: NodeJS.Signals): Fault =>
  async (context) => {
    await context.at(context.loadDurationMs * fraction);
    context.log(`${signal} to every process`);
    await context.stack.stopAll(signal);
    context.fired.fullStops += 1;
    context.log('everything stopped; starting again');
    await context.stack.startAll();
    context.log('everything running again');
  };

const earlyInLoad = (loadDurationMs: number) => Math.min(10_000, loadDurationMs / 4);

export function standardScenarios(parameters: ScenarioParameters): Scenario[] {
  const outageLabel = `${Math.round(parameters.outageMs / 1000)} s`;
  return [
    { name: 'steady', summary: 'steady load at the chosen rate (50 % of measured capacity)', faults: [] },
    {
      name: 'worker-kill',
      summary: `worker-1 SIGKILLed every ${parameters.killIntervalMs / 1000} s and restarted; worker-2 keeps going`,
      faults: [killWorkerEvery(parameters.killIntervalMs)],
    },
    {
      name: 'temporal-restart',
      summary: 'Temporal dev server SIGKILLed at 1/3 of the load, restarted on the same database file',
      faults: [killTemporalAt(1 / 3)],
    },
    {
      name: 'receiver-down',
      summary: `receiver answers 503 for ${outageLabel} (from 10 s, or a quarter of a shorter load, into the load), then 200`,
      faults: [receiverOutage('unavailable', earlyInLoad, parameters.outageMs)],
    },
    {
      name: 'receiver-down-20s',
      summary: 'receiver answers 503 for 20 s, then 200',
      faults: [receiverOutage('unavailable', earlyInLoad, 20_000)],
    },
    {
      name: 'receiver-429',
      summary: 'receiver answers 429 with Retry-After: 0 for 20 s, then 200',
      faults: [receiverOutage('throttled', earlyInLoad, 20_000)],
    },
    {
      name: 'large-while-down',
      summary: `4,096-character messages from 4 contacts while the receiver answers 503 for ${outageLabel}`,
      contacts: 4,
      textLength: 4_096,
      faults: [receiverOutage('unavailable', earlyInLoad, parameters.outageMs)],
    },
    {
      name: 'sigterm-all',
      summary: 'SIGTERM to the API, both workers, Temporal and the database at 1/3 of the load, then all started again',
      faults: [stopEverythingAt(1 / 3, 'SIGTERM')],
    },
  ];
}
