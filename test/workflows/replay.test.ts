import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/platform/logger.js';
import { historyFromJSON } from '../../src/temporal/history-json.js';
import { installTemporalRuntimeLogger } from '../../src/temporal/runtime-logger.js';
import { WorkflowType } from '../../workflows/contract.js';

/*
 * Histories recorded from the workflows as they ran before (scripts/record-workflow-histories.ts)
 * replayed against today's workflow code: a change that would make an open chat, activation or
 * replay emit different commands fails here with a DeterminismViolationError instead of in
 * production. A change meant to be incompatible goes behind `patched('<id>')` so these still replay.
 */
const HISTORIES_DIR = fileURLToPath(new URL('../fixtures/histories/', import.meta.url));
const WORKFLOWS_PATH = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));

// The SDK logs every replay worker's start and stop at INFO; warnings and errors still show.
installTemporalRuntimeLogger(createLogger('warn'));

const recorded = readdirSync(HISTORIES_DIR)
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((file) => {
    const history = historyFromJSON(JSON.parse(readFileSync(`${HISTORIES_DIR}${file}`, 'utf8')));
    return { file, workflowId: file.replace(/\.json$/, ''), history };
  });

const workflowTypeOf = (history: (typeof recorded)[number]['history']) =>
  history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name;

describe('recorded workflow histories', () => {
  it('cover every workflow type the worker runs, including a chat that continued as new and one closed as idle', () => {
    const types = new Set(recorded.map(({ history }) => workflowTypeOf(history)));
    expect([...types].sort()).toEqual(Object.values(WorkflowType).sort());
    expect(recorded.map(({ file }) => file)).toEqual(expect.arrayContaining(['chat-continue-as-new.run-2.json', 'chat-idle-close.json', 'chat-mo-mt.json']));
  });

  it('replay against the current workflow code without a determinism violation', { timeout: 120_000 }, async () => {
    const results = [];
    for await (const result of Worker.runReplayHistories({ workflowsPath: WORKFLOWS_PATH }, recorded.map(({ workflowId, history }) => ({ workflowId, history })))) {
      results.push({ workflowId: result.workflowId, error: result.error ? `${result.error.name}: ${result.error.message}` : null });
    }
    expect(results).toEqual(recorded.map(({ workflowId }) => ({ workflowId, error: null })));
  });
});
