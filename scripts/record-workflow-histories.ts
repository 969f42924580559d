/**
 * Records the event histories that test/workflows/replay.test.ts replays: each workflow of the
 * bundle runs through representative scenarios on a real Temporal server, and each run's history
 * is saved as JSON under test/fixtures/histories/. Run it only on purpose (a new scenario, or
 * after a change that is meant to be incompatible and is guarded by `patched`): the committed
 * histories are what proves that workflow code changes still replay what production recorded,
 * so a file that exists is never replaced unless --overwrite says so.
 *
 *   node --import tsx scripts/record-workflow-histories.ts [--only <name-prefix>] [--overwrite] [output-dir]
 *
 *   --only session-       records the chat-session scenarios (scripts/workflow-histories/session-scenarios.ts)
 *   --only integration-   activation and stop (integration-scenarios.ts)
 *
 * Activities are stand-ins with scripted outcomes (scripts/workflow-histories/stand-in-activities.ts):
 * a replay never runs them (their results are in the history), so only the commands the
 * workflows emit matter here.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createLogger } from '../src/platform/logger.js';
import { installTemporalRuntimeLogger } from '../src/temporal/runtime-logger.js';
import { INTEGRATION_SCENARIOS } from './workflow-histories/integration-scenarios.js';
import { runScenarios } from './workflow-histories/recording.js';
import { SESSION_SCENARIOS } from './workflow-histories/session-scenarios.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { only: { type: 'string', default: '' }, overwrite: { type: 'boolean', default: false } },
});
const outDir = positionals[0]
  ? `${resolve(positionals[0])}/`
  : fileURLToPath(new URL('../test/fixtures/histories/', import.meta.url));
const scenarios = [...INTEGRATION_SCENARIOS, ...SESSION_SCENARIOS].filter((scenario) =>
  scenario.name.startsWith(values.only),
);
if (scenarios.length === 0) throw new Error(`no scenario is named ${values.only}…`);

installTemporalRuntimeLogger(createLogger('warn'));
mkdirSync(outDir, { recursive: true });
const options = { outDir, overwrite: values.overwrite };
await runScenarios(
  'dev',
  scenarios.filter((scenario) => scenario.server === 'dev'),
  options,
);
await runScenarios(
  'time-skipping',
  scenarios.filter((scenario) => scenario.server === 'time-skipping'),
  options,
);
