/**
 * What the recording scenarios share: a Temporal server with a worker running the workflow
 * bundle against the stand-in activities, gateways like the API's, and the saving of every run
 * of a workflow as a JSON history (never over a committed one unless asked to).
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import proto from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { existsSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { temporalCliPath, temporalTestServerPath } from '../../src/platform/embedded/tool-paths.js';
import { createLogger } from '../../src/platform/logger.js';
import { createMetrics } from '../../src/platform/metrics.js';
import { createTemporalGateway, type TemporalGateway } from '../../src/temporal/gateway.js';
import { historyToJSON } from '../../src/temporal/history-json.js';
import { searchAttributeArgs } from '../../src/temporal/search-attributes.js';
import type { InboundMessage } from '../../workflows/contract/chat-messages.js';
import type { ChatParties, ChatSettings } from '../../workflows/contract/chat-session.js';
import { CHAT_SEARCH_ATTRIBUTE_NAMES } from '../../workflows/contract/search-attributes.js';
import { StandInActivities } from './stand-in-activities.js';

const WORKFLOWS_PATH = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));
export const TASK_QUEUE = 'record-histories';
const HOUR = 3_600_000;

export const SESSION_SETTINGS: ChatSettings = {
  whatsappWindowMs: 24 * HOUR,
  idleTimeoutMs: 24 * HOUR,
  deliveryMaxDurationMs: HOUR,
  deliveryTimeoutMs: 5_000,
  deliveryRetryInitialMs: 1_000,
  deliveryRetryMaxIntervalMs: 60_000,
  maxMessagesPerRun: 1_000,
  maxPendingDeliveries: 1_000,
};

export interface RecordingOptions {
  outDir: string;
  /** Replace a history file that exists (re-recording on purpose); otherwise saving one is an error. */
  overwrite: boolean;
}

/** What a scenario runs with. */
export interface Recording {
  client: Client;
  standIns: StandInActivities;
  /** A gateway as the API builds it, with these chat settings. */
  gateway(settings: ChatSettings): TemporalGateway;
  /**
   * Saves every run of the workflow as `<name>.json`, or `<name>.run-<n>.json` when it continued as new; answers the
   * number of runs.
   */
  save(name: string, handle: WorkflowHandle): Promise<number>;
}

export interface Scenario {
  /** The fixture files' name (or their common prefix); `--only <prefix>` selects scenarios by it. */
  name: string;
  /** The idle close needs 24 hours to pass: the time-skipping server skips them. */
  server: 'dev' | 'time-skipping';
  run(recording: Recording): Promise<void>;
}

/** A contact of its own per scenario (a chat's workflow id is derived from it). */
export function chatParties(name: string, channel: ChatParties['channel']): ChatParties {
  return {
    tenantId: '65f000000000000000000001',
    integrationId: '65f0000000000000000000a1',
    contact: `54911${name.length}${Date.now() % 100_000_000}`,
    channel,
    connectionCode: 'REC',
    sender: '5491100000001',
  };
}

export function inboundMessage(chat: ChatParties, text: string, messageId: string): InboundMessage {
  return {
    messageId,
    connectionCode: chat.connectionCode,
    sender: chat.sender,
    channel: chat.channel,
    text,
    media: null,
    timestamp: '2025-01-01T00:00:00.000Z',
  };
}

/** Fails the recording when a scenario did not go the way its histories are meant to show. */
export function expectThat(condition: boolean, what: string, actual?: unknown): void {
  if (!condition)
    throw new Error(
      `recording went wrong: expected ${what}${actual === undefined ? '' : `, got ${JSON.stringify(actual)}`}`,
    );
}

async function saveHistories(
  client: Client,
  options: RecordingOptions,
  name: string,
  handle: WorkflowHandle,
): Promise<number> {
  const described = await handle.describe();
  let runId: string | undefined = described.raw.workflowExecutionInfo?.firstRunId ?? described.runId;
  const runs: string[] = [];
  while (runId) {
    const history = await client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
    runs.push(historyToJSON(history));
    const last = history.events?.at(-1);
    runId = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  const files = runs.map((_, index) => (runs.length === 1 ? `${name}.json` : `${name}.run-${index + 1}.json`));
  const existing = files.filter((file) => existsSync(`${options.outDir}${file}`));
  if (!options.overwrite && existing.length > 0) {
    throw new Error(`${existing.join(', ')} exist: committed histories are re-recorded only on purpose (--overwrite)`);
  }
  runs.forEach((json, index) => {
    writeFileSync(`${options.outDir}${files[index]}`, `${json}\n`);
    process.stdout.write(`recorded ${files[index]}\n`);
  });
  return runs.length;
}

/** Runs the scenarios on one server, one after the other, under one worker. */
export async function runScenarios(
  server: Scenario['server'],
  scenarios: Scenario[],
  options: RecordingOptions,
): Promise<void> {
  if (scenarios.length === 0) return;
  const env =
    server === 'dev'
      ? await TestWorkflowEnvironment.createLocal({
          server: {
            executable: { type: 'existing-path', path: temporalCliPath() },
            ip: '127.0.0.1',
            extraArgs: ['--log-level', 'error', ...searchAttributeArgs()],
          },
        })
      : await TestWorkflowEnvironment.createTimeSkipping({
          server: { executable: { type: 'existing-path', path: temporalTestServerPath() } },
        });
  try {
    if (server === 'time-skipping') {
      await env.connection.operatorService.addSearchAttributes({
        namespace: env.namespace ?? 'default',
        searchAttributes: Object.fromEntries(
          CHAT_SEARCH_ATTRIBUTE_NAMES.map((name) => [
            name,
            proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
          ]),
        ),
      });
    }
    const standIns = new StandInActivities();
    const { client } = env;
    const recording: Recording = {
      client,
      standIns,
      gateway: (chatSettings) =>
        createTemporalGateway({
          client,
          taskQueue: TASK_QUEUE,
          chatSettings,
          metrics: createMetrics(),
          logger: createLogger('warn'),
        }),
      save: (name, handle) => saveHistories(client, options, name, handle),
    };
    const worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue: TASK_QUEUE,
      workflowsPath: WORKFLOWS_PATH,
      activities: standIns.activities(),
    });
    await worker.runUntil(async () => {
      for (const scenario of scenarios) {
        process.stdout.write(`scenario ${scenario.name}\n`);
        await scenario.run(recording);
      }
    });
  } finally {
    await env.teardown();
  }
}
