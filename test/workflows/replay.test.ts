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
 *
 * Keeping the chat workflow replay-safe: chats live for days and continue as new, so some are
 * always mid-run when a worker with new code starts. A change to the commands chatSessionWorkflow
 * emits (an activity, local activity or timer added, removed or reordered; activity options,
 * arguments and new signal or query handlers replay fine) goes behind `patched('<id>')`, keeping
 * the old branch until no chat can still be on it (`deprecatePatch` after that), and the new
 * branch gets a recorded scenario of its own. A rewrite that cannot be expressed as patches
 * becomes a new workflow type for new chats, and the old one is frozen and kept registered, as
 * chatLifecycleWorkflow was (workflows/legacy/). Committed histories are never re-recorded to make
 * this test pass: new scenarios are added beside them (`--only <prefix>`, files of a new name),
 * and a file is replaced (`--overwrite`) only on purpose, when no production run can replay it.
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

/** Recorded from chatLifecycleWorkflow before chat sessions: chats still open on it must replay. */
const LEGACY_CHAT_FILES = ['chat-mo-end.json', 'chat-mo-mt.json', 'chat-continue-as-new.run-2.json', 'chat-continue-as-new.run-3.json', 'chat-idle-close.json'];

/** chatSessionWorkflow and series replays (scripts/workflow-histories/session-scenarios.ts). */
const SESSION_FILES = [
  'session-mo-mt-end.json',
  // Retried on timers, failed for good, handed back for the workflow to record, given up.
  'session-delivery-outcomes.json',
  // The second run resumes the attempt series the first ended during.
  'session-continue-as-new.run-1.json',
  'session-continue-as-new.run-2.json',
  // An MO while END retries opens the next chat; the workflow continues as new as it.
  'session-closing-next-chat.run-1.json',
  'session-closing-next-chat.run-2.json',
  'session-backlog-duplicate.json',
  'session-idle-close.json',
  'session-delivery-replay-series.json',
];

/**
 * The same chat scenarios recorded again once rows were written by activities
 * ('outbox-rows-as-activities') and a new chat's row by its first accept
 * ('open-recorded-by-first-accept'): both patched branches replay.
 */
const PATCHED_SESSION_FILES = SESSION_FILES.filter((file) => !file.startsWith('session-delivery-replay')).map((file) => file.replace('session-', 'session-p2-'));

const workflowTypeOf = (history: (typeof recorded)[number]['history']) =>
  history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name;

describe('recorded workflow histories', () => {
  it('cover every workflow type the worker runs, including chats that continued as new and closed as idle, on both chat workflows', () => {
    const types = new Set(recorded.map(({ history }) => workflowTypeOf(history)));
    expect([...types].sort()).toEqual(Object.values(WorkflowType).sort());
    expect(recorded.map(({ file }) => file)).toEqual(expect.arrayContaining([...LEGACY_CHAT_FILES, ...SESSION_FILES, ...PATCHED_SESSION_FILES]));
  });

  it('hold each scenario under the workflow type it was recorded from', () => {
    const typeOf = (file: string) => workflowTypeOf(recorded.find((history) => history.file === file)!.history);
    expect(LEGACY_CHAT_FILES.map(typeOf)).toEqual(LEGACY_CHAT_FILES.map(() => WorkflowType.LEGACY_CHAT));
    expect(PATCHED_SESSION_FILES.map(typeOf)).toEqual(PATCHED_SESSION_FILES.map(() => WorkflowType.CHAT));
    expect(SESSION_FILES.map(typeOf)).toEqual(SESSION_FILES.map((file) => (file.startsWith('session-delivery-replay') ? WorkflowType.DELIVERY_REPLAY : WorkflowType.CHAT)));
  });

  it('replay against the current workflow code without a determinism violation', { timeout: 120_000 }, async () => {
    const results = [];
    for await (const result of Worker.runReplayHistories({ workflowsPath: WORKFLOWS_PATH }, recorded.map(({ workflowId, history }) => ({ workflowId, history })))) {
      results.push({ workflowId: result.workflowId, error: result.error ? `${result.error.name}: ${result.error.message}` : null });
    }
    expect(results).toEqual(recorded.map(({ workflowId }) => ({ workflowId, error: null })));
  });
});
