/**
 * `npm run chaos`: the fault-injection harness. Each scenario runs the real stack as separate
 * processes (API, two workers, Temporal dev server on a file, FerretDB) under open-loop carrier
 * load, injects its fault, drains, and reconciles every 202 against what the receiver got.
 *
 *   npm run chaos                                  all scenarios, 5 min of load each, rate = 50 % of measured capacity
 *   npm run chaos -- --scenario receiver-down --duration 60s --outage 30s
 *   npm run chaos -- --rate 10 --duration 45s --env DELIVERY_RETRY_INITIAL=1s
 *   npm run chaos -- --scenario churn --seed 20240901 --duration 2m --rate 8 --kill-interval 30s
 *
 * `churn` (churn-runner.ts) is run only when named: seeded contact scripts (MOs, duplicates,
 * replies, END, idle closes, continue-as-new) under worker SIGKILLs and receiver outages. Its
 * seed (`--seed`, random by default) is printed at the start and in its row: the same seed
 * draws the same scripts.
 *
 * The table goes to stdout and to .chathook/chaos/last-table.md (git-ignored).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseDuration } from '../../src/platform/config.js';
import { PROJECT_ROOT } from '../../src/platform/embedded/tool-paths.js';
import { chaosDetails, chaosTable, churnTable } from './chaos-report.js';
import { standardScenarios } from './chaos-scenarios.js';
import { runChurn, type ChurnResult } from './churn-runner.js';
import { measureCapacity, runScenario, type ScenarioResult } from './scenario-runner.js';

// Ctrl-C must not leave the servers behind (Temporal and FerretDB run in process groups of their
// own): exiting runs the 'exit' hook of node-process.ts, which kills every child still alive.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', multiple: true },
    // Defaults differ between the standard rows and churn (below).
    duration: { type: 'string' },
    outage: { type: 'string' },
    outages: { type: 'string', default: '2' },
    seed: { type: 'string' },
    'idle-timeout': { type: 'string', default: '3s' },
    'messages-per-run': { type: 'string', default: '5' },
    'kill-interval': { type: 'string', default: '30s' },
    drain: { type: 'string', default: '5m' },
    'retry-window': { type: 'string', default: '2m' },
    rate: { type: 'string' },
    'capacity-duration': { type: 'string', default: '20s' },
    'capacity-share': { type: 'string', default: '0.5' },
    contacts: { type: 'string' },
    env: { type: 'string', multiple: true },
    'keep-data': { type: 'boolean', default: false },
    out: { type: 'string' },
    list: { type: 'boolean', default: false },
  },
});

const scenarios = standardScenarios({
  outageMs: parseDuration(values.outage ?? '2m'),
  killIntervalMs: parseDuration(values['kill-interval']),
});
if (values.list) {
  for (const scenario of scenarios) process.stdout.write(`${scenario.name.padEnd(20)} ${scenario.summary}\n`);
  process.stdout.write(
    `${'churn'.padEnd(20)} seeded contact scripts (MO, duplicates, replies, END, idle close, continue-as-new) under worker SIGKILLs and receiver outages; only when named\n`,
  );
  process.exit(0);
}
const wanted = (values.scenario ?? []).flatMap((entry) => entry.split(',')).filter(Boolean);
const churnWanted = wanted.includes('churn');
const unknown = wanted.filter((name) => name !== 'churn' && !scenarios.some((scenario) => scenario.name === name));
if (unknown.length > 0) {
  process.stderr.write(
    `unknown scenario(s): ${unknown.join(', ')}; known: ${scenarios.map((scenario) => scenario.name).join(', ')}\n`,
  );
  process.exit(2);
}
const chosen = wanted.length === 0 ? scenarios : scenarios.filter((scenario) => wanted.includes(scenario.name));
const duration = values.duration ?? (churnWanted && chosen.length === 0 ? '2m' : '5m');
const env = Object.fromEntries(
  (values.env ?? []).map((pair) => {
    const at = pair.indexOf('=');
    if (at < 1) throw new Error(`--env ${pair}: expected NAME=value`);
    return [pair.slice(0, at), pair.slice(at + 1)];
  }),
);
const chaosDir = join(PROJECT_ROOT, '.chathook', 'chaos');
const baseDir = join(chaosDir, 'runs');
mkdirSync(baseDir, { recursive: true });
const log = (line: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
const contacts = Number(values.contacts ?? (churnWanted && chosen.length === 0 ? '60' : '40'));

// Every row runs at a share of the capacity measured first (steady MOs), unless --rate is given.
let rate = values.rate === undefined ? undefined : Number(values.rate);
if (rate === undefined) {
  const capacity = await measureCapacity({ baseDir, env, contacts, log }, parseDuration(values['capacity-duration']));
  rate = Math.max(0.5, Math.round(capacity * Number(values['capacity-share']) * 10) / 10);
  log(`load rate: ${rate}/s (${Number(values['capacity-share']) * 100} % of ${capacity.toFixed(1)} MO/s)`);
}

let churnResult: ChurnResult | undefined;
if (churnWanted) {
  const seed = values.seed === undefined ? Math.floor(Math.random() * 1e9) : Number(values.seed);
  log(`churn seed ${seed} (replay: --scenario churn --seed ${seed})`);
  churnResult = await runChurn({
    seed,
    ratePerSecond: rate,
    loadDurationMs: parseDuration(duration),
    contacts,
    idleTimeoutMs: parseDuration(values['idle-timeout']),
    messagesPerRun: Number(values['messages-per-run']),
    killIntervalMs: parseDuration(values['kill-interval']),
    outages: Number(values.outages),
    outageMs: parseDuration(values.outage ?? '5s'),
    drainDeadlineMs: parseDuration(values.drain),
    retryWindowMs: parseDuration(values['retry-window']),
    env,
    baseDir,
    keepData: values['keep-data'],
    log,
  });
  const report = [
    `Churn run ${new Date().toISOString()}: seed ${seed}, ${churnResult.ratePerSecond} MO/s for ${duration}, ${contacts} contacts`,
    '',
    churnTable([churnResult]),
    '',
    chaosDetails([churnResult]),
    '',
  ].join('\n');
  writeFileSync(values.out ?? join(chaosDir, 'last-churn-table.md'), report);
  process.stdout.write(`\n${report}`);
  if (chosen.length === 0) process.exit(churnResult.violations.length > 0 ? 1 : 0);
}

const results: ScenarioResult[] = [];
for (const scenario of chosen) {
  results.push(
    await runScenario(scenario, {
      ratePerSecond: rate,
      loadDurationMs: parseDuration(duration),
      contacts,
      drainDeadlineMs: parseDuration(values.drain),
      retryWindowMs: parseDuration(values['retry-window']),
      env,
      baseDir,
      keepData: values['keep-data'],
      log,
    }),
  );
  // Written after every row, so a long run that is interrupted still leaves what it measured.
  const report = [
    `Chaos run ${new Date().toISOString()}: ${rate}/s for ${duration} per scenario, ${contacts} contacts, drain deadline ${values.drain}${Object.keys(env).length ? `, env ${JSON.stringify(env)}` : ''}`,
    '',
    chaosTable(results),
    '',
    chaosDetails(results),
    '',
    ...results.map((result) => `- ${result.scenario}: ${result.summary}`),
    '',
  ].join('\n');
  writeFileSync(values.out ?? join(chaosDir, 'last-table.md'), report);
  if (results.length === chosen.length) process.stdout.write(`\n${report}`);
}
const failed =
  (churnResult?.violations.length ?? 0) > 0 ||
  results.some((result) => result.error !== undefined || (result.ledger?.lost.length ?? 1) > 0);
process.exit(failed ? 1 : 0);
