/**
 * The churn scenario (`npm run chaos -- --scenario churn`): a fresh stack with a short
 * CHAT_IDLE_TIMEOUT and a small CHAT_MESSAGES_PER_RUN, an `http` carrier that records every
 * reply, the receiver, and the seeded churn scripts (churn-load.ts) while a worker is SIGKILLed
 * every `killIntervalMs` and the receiver answers 503 `outages` times; then it drains and
 * reconciles the churn ledger. Same skeleton as scenario-runner's rows; its own load and ledger.
 */
import { join } from 'node:path';
import { ChaosCarrier } from './chaos-carrier.js';
import { ChaosReceiver } from './chaos-receiver.js';
import { countListedDeliveries, provisionChaosRoute } from './chaos-setup.js';
import { killWorkerEvery, receiverOutage, type Fault } from './chaos-scenarios.js';
import { ChaosStack } from './chaos-stack.js';
import { END_ANSWER_DELAY_MS, startChurn, type ChurnRun, type ChurnSteps } from './churn-load.js';
import { churnViolations, isAccepted, outcomesOf, reconcileChurn, type ChurnLedger } from './loss-ledger.js';
import { emptyResult, tearDown, type RunSettings, type ScenarioResult } from './scenario-runner.js';
import { measureWorkflowHistories } from './workflow-history-size.js';

export interface ChurnSettings extends Omit<RunSettings, 'contacts'> {
  seed: number;
  contacts: number;
  idleTimeoutMs: number;
  messagesPerRun: number;
  /** A worker SIGKILL every this long during the load (first at half of it). */
  killIntervalMs: number;
  /** Receiver outages (503) spread over the load, each `outageMs` long. */
  outages: number;
  outageMs: number;
}

export interface ChurnResult extends ScenarioResult {
  seed: number;
  churn: ChurnLedger | undefined;
  steps: ChurnSteps | undefined;
  /** Every broken promise of the run (empty = clean). */
  violations: string[];
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));
/** Late duplicates (a retry of a delivered request) get this long to show up once all arrived. */
const DUPLICATE_SETTLE_MS = 3_000;

export function churnFaults(settings: Pick<ChurnSettings, 'killIntervalMs' | 'outages' | 'outageMs'>): Fault[] {
  const outages = Array.from({ length: settings.outages }, (_, index) =>
    receiverOutage(
      'unavailable',
      (loadMs) => Math.max(0, ((index + 1) * loadMs) / (settings.outages + 1) - settings.outageMs / 2),
      settings.outageMs,
    ),
  );
  return [killWorkerEvery(settings.killIntervalMs), ...outages];
}

/** Accepted work not yet at its destination: MOs at the receiver, replies at the carrier, ENDs at the receiver. */
function undelivered(run: ChurnRun, receiver: ChaosReceiver, carrier: ChaosCarrier): number {
  const messages = outcomesOf(run.attempts).filter(
    (outcome) => isAccepted(outcome) && !receiver.webhookIdsByMessage.has(outcome.messageId),
  ).length;
  const accepted = run.calls.filter((call) => call.acceptedAt !== undefined);
  const replies = accepted.filter((call) => call.type === 'MESSAGE' && !carrier.sent.has(call.eventId!)).length;
  const ends = accepted.filter((call) => call.type === 'END' && !receiver.endsByChat.has(call.chatId!)).length;
  return messages + replies + ends;
}

export async function runChurn(settings: ChurnSettings): Promise<ChurnResult> {
  const dir = join(settings.baseDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-churn-${settings.seed}`);
  const log = (line: string) => settings.log(`[churn seed ${settings.seed}] ${line}`);
  const summary = `seeded churn: ${settings.contacts} contacts, idle timeout ${settings.idleTimeoutMs / 1000} s, ${settings.messagesPerRun} messages per run, worker SIGKILL every ${settings.killIntervalMs / 1000} s, ${settings.outages} receiver outage(s) of ${settings.outageMs / 1000} s`;
  const result: ChurnResult = {
    ...emptyResult('churn', summary, settings),
    seed: settings.seed,
    churn: undefined,
    steps: undefined,
    violations: [],
  };
  const receiver = await ChaosReceiver.start();
  receiver.endAnswerDelayMs = END_ANSWER_DELAY_MS;
  const carrier = await ChaosCarrier.start();
  let stack: ChaosStack | undefined;
  let run: ChurnRun | undefined;
  try {
    log(`starting the stack in ${dir}`);
    const env = {
      CHAT_IDLE_TIMEOUT: `${settings.idleTimeoutMs}ms`,
      CHAT_MESSAGES_PER_RUN: String(settings.messagesPerRun),
      ...settings.env,
    };
    stack = await ChaosStack.start({ dir, env });
    const route = await provisionChaosRoute(stack.apiUrl, stack.adminKey, receiver.url, carrier.url);
    const running = stack;
    log(
      `load: ${settings.ratePerSecond} MO/s for ${settings.loadDurationMs / 1000} s from ${settings.contacts} contacts`,
    );
    const churn = startChurn({
      ...settings,
      baseUrl: () => running.apiUrl,
      route,
      receiver,
      durationMs: settings.loadDurationMs,
    });
    run = churn;
    result.steps = churn.steps;
    const faultsEnded = Promise.all(
      churnFaults(settings).map((fault) =>
        fault({
          stack: running,
          receiver,
          loadDurationMs: settings.loadDurationMs,
          fired: result.faultsFired,
          at: (offset) => sleep(churn.startedAt + offset - Date.now()),
          log,
        }),
      ),
    ).then(() => Date.now());
    const drainStart = Math.max(await churn.done, await faultsEnded);
    log(`scripts and faults over; draining (deadline ${settings.drainDeadlineMs / 1000} s)`);
    while (Date.now() < drainStart + settings.drainDeadlineMs) {
      if (undelivered(churn, receiver, carrier) === 0) {
        result.drainMs = Date.now() - drainStart;
        break;
      }
      await sleep(250);
    }
    await sleep(DUPLICATE_SETTLE_MS);
    result.churn = reconcileChurn(churn.attempts, churn.calls, receiver, carrier);
    result.ledger = result.churn.messages;
    result.tally = tallyOf(churn);
    result.violations = churnViolations(result.churn);
    if (result.drainMs === undefined) result.violations.push(`not drained in ${settings.drainDeadlineMs / 1000} s`);
    log(
      `drained: ${result.drainMs === undefined ? 'NO' : `${(result.drainMs / 1000).toFixed(1)} s`}; ${result.violations.length === 0 ? 'ledger clean' : result.violations.join('; ')}`,
    );
    result.listed = await countListedDeliveries(stack.apiUrl, route).catch(() => undefined);
    result.history = await measureWorkflowHistories(stack.temporalAddress).catch(() => undefined);
  } catch (error) {
    result.error = (error as Error).message.split('\n')[0];
    result.violations.push(`error: ${result.error}`);
    log(`failed: ${(error as Error).stack ?? String(error)}`);
  } finally {
    run?.stop();
    await tearDown({ stack, receiver, result, dir, keepData: settings.keepData });
    await carrier.close();
  }
  return result;
}

/** The carrier's answers over every MO request (the detail table's column). */
function tallyOf(run: ChurnRun): NonNullable<ScenarioResult['tally']> {
  const statuses = run.attempts.map((attempt) => attempt.status);
  const count = (test: (status: number) => boolean) => statuses.filter(test).length;
  return {
    accepted: count((status) => status === 202),
    backlog429: count((status) => status === 429),
    unavailable503: count((status) => status === 503),
    otherStatus: count((status) => status !== 0 && status !== 202 && status !== 429 && status !== 503),
    errors: count((status) => status === 0),
  };
}
