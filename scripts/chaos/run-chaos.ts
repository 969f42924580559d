/**
 * `npm run chaos`: the fault-injection harness. Each scenario runs the real stack as separate
 * processes (API, two workers, Temporal dev server on a file, FerretDB) under open-loop carrier
 * load, injects its fault, drains, and reconciles every 202 against what the receiver got.
 *
 *   npm run chaos                                  all scenarios, 5 min of load each, rate = 50 % of measured capacity
 *   npm run chaos -- --scenario receiver-down --duration 60s --outage 30s
 *   npm run chaos -- --rate 10 --duration 45s --env DELIVERY_RETRY_INITIAL=1s
 *
 * The table goes to stdout and to .chathook/chaos/last-table.md (git-ignored).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseDuration } from '../../src/platform/config.js';
import { PROJECT_ROOT } from '../../src/platform/embedded/tool-paths.js';
import { chaosDetails, chaosTable } from './chaos-report.js';
import { standardScenarios } from './chaos-scenarios.js';
import { measureCapacity, runScenario, type ScenarioResult } from './scenario-runner.js';

// Ctrl-C must not leave the servers behind (Temporal and FerretDB run in process groups of their
// own): exiting runs the 'exit' hook of node-process.ts, which kills every child still alive.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', multiple: true },
    duration: { type: 'string', default: '5m' },
    outage: { type: 'string', default: '2m' },
    'kill-interval': { type: 'string', default: '30s' },
    drain: { type: 'string', default: '5m' },
    'retry-window': { type: 'string', default: '2m' },
    rate: { type: 'string' },
    'capacity-duration': { type: 'string', default: '20s' },
    'capacity-share': { type: 'string', default: '0.5' },
    contacts: { type: 'string', default: '40' },
    env: { type: 'string', multiple: true },
    'keep-data': { type: 'boolean', default: false },
    out: { type: 'string' },
    list: { type: 'boolean', default: false },
  },
});

const scenarios = standardScenarios({ outageMs: parseDuration(values.outage), killIntervalMs: parseDuration(values['kill-interval']) });
if (values.list) {
  for (const scenario of scenarios) process.stdout.write(`${scenario.name.padEnd(20)} ${scenario.summary}\n`);
  process.exit(0);
}
const wanted = (values.scenario ?? []).flatMap((entry) => entry.split(',')).filter(Boolean);
const unknown = wanted.filter((name) => !scenarios.some((scenario) => scenario.name === name));
if (unknown.length > 0) {
  process.stderr.write(`unknown scenario(s): ${unknown.join(', ')}; known: ${scenarios.map((scenario) => scenario.name).join(', ')}\n`);
  process.exit(2);
}
const chosen = wanted.length === 0 ? scenarios : scenarios.filter((scenario) => wanted.includes(scenario.name));
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
const contacts = Number(values.contacts);

let rate = values.rate === undefined ? undefined : Number(values.rate);
if (rate === undefined) {
  const capacity = await measureCapacity({ baseDir, env, contacts, log }, parseDuration(values['capacity-duration']));
  rate = Math.max(0.5, Math.round(capacity * Number(values['capacity-share']) * 10) / 10);
  log(`load rate: ${rate}/s (${Number(values['capacity-share']) * 100} % of ${capacity.toFixed(1)} MO/s)`);
}

const results: ScenarioResult[] = [];
for (const scenario of chosen) {
  results.push(
    await runScenario(scenario, {
      ratePerSecond: rate,
      loadDurationMs: parseDuration(values.duration),
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
    `Chaos run ${new Date().toISOString()}: ${rate}/s for ${values.duration} per scenario, ${contacts} contacts, drain deadline ${values.drain}${Object.keys(env).length ? `, env ${JSON.stringify(env)}` : ''}`,
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
const failed = results.some((result) => result.error !== undefined || (result.ledger?.lost.length ?? 1) > 0);
process.exit(failed ? 1 : 0);
