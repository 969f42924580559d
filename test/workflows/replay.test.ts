import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/platform/logger.js';
import { historyFromJSON } from '../../src/temporal/history-json.js';
import { installTemporalRuntimeLogger } from '../../src/temporal/runtime-logger.js';
import { WorkflowType } from '../../workflows/contract/ids.js';

/*
 * Histories recorded from the workflows as they ran before (scripts/record-workflow-histories.ts)
 * replayed against today's workflow code: a change that would make an open chat, activation or
 * replay emit different commands fails here with a DeterminismViolationError instead of in
 * production. A change meant to be incompatible goes behind `patched('<id>')` so these still replay.
 *
 * Keeping the chat workflow replay-safe (README, "Hand-overs, duplicates and versions"): the chat
 * workflow starts at one clean generation, and these session-* histories were recorded from it.
 * A later change to the commands chatSessionWorkflow emits (an activity or timer added, removed
 * or reordered; activity options, arguments and new handlers replay fine) lives through
 * `patched('<id>')` → `deprecatePatch('<id>')` → removal, each step with a recorded scenario of
 * the new branch beside these (`--only <prefix>`, files of a new name). Committed histories are
 * never re-recorded to make this test pass; a file goes only with the step that makes its
 * branch unreachable.
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

/** chatSessionWorkflow and series replays (scripts/workflow-histories/session-scenarios.ts). */
const SESSION_FILES = [
  'session-mo-mt-end.json',
  // Retried on timers, failed for good, handed back for the workflow to record, given up.
  'session-delivery-outcomes.json',
  // The second run resumes the attempt series the first ended during.
  'session-continue-as-new.run-1.json',
  'session-continue-as-new.run-2.json',
  'session-continue-as-new.run-3.json',
  // An MO while END retries opens the next chat; the workflow continues as new as it.
  'session-closing-next-chat.run-1.json',
  'session-closing-next-chat.run-2.json',
  // An MO whose rows are still being written when the closed run seals: the hand-over waits for it.
  'session-hand-over-in-flight.run-1.json',
  'session-hand-over-in-flight.run-2.json',
  'session-backlog-duplicate.json',
  'session-idle-close.json',
  'session-delivery-replay-series.json',
];

const workflowTypeOf = (history: (typeof recorded)[number]['history']) =>
  history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name;

describe('recorded workflow histories', () => {
  it('cover every workflow type the worker runs, including chats that continued as new and closed as idle', () => {
    const types = new Set(recorded.map(({ history }) => workflowTypeOf(history)));
    expect([...types].sort()).toEqual(Object.values(WorkflowType).sort());
    expect(recorded.map(({ file }) => file)).toEqual(expect.arrayContaining(SESSION_FILES));
  });

  it('hold each scenario under the workflow type it was recorded from', () => {
    const typeOf = (file: string) => workflowTypeOf(recorded.find((history) => history.file === file)!.history);
    expect(SESSION_FILES.map(typeOf)).toEqual(
      SESSION_FILES.map((file) =>
        file.startsWith('session-delivery-replay') ? WorkflowType.DELIVERY_REPLAY : WorkflowType.CHAT,
      ),
    );
  });

  it('replay against the current workflow code without a determinism violation', { timeout: 120_000 }, async () => {
    const results = [];
    for await (const result of Worker.runReplayHistories(
      { workflowsPath: WORKFLOWS_PATH },
      recorded.map(({ workflowId, history }) => ({ workflowId, history })),
    )) {
      results.push({
        workflowId: result.workflowId,
        error: result.error ? `${result.error.name}: ${result.error.message}` : null,
      });
    }
    expect(results).toEqual(recorded.map(({ workflowId }) => ({ workflowId, error: null })));
  });
});
