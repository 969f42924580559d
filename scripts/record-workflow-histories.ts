/**
 * Records the event histories that test/workflows/replay.test.ts replays: each workflow of the
 * bundle runs through representative scenarios on a real Temporal server, and each run's history
 * is saved as JSON under test/fixtures/histories/. Run it again only on purpose (a new scenario,
 * or after a change that is meant to be incompatible and is guarded by `patched`): the committed
 * histories are what proves that workflow code changes still replay what production recorded.
 *
 *   node --import tsx scripts/record-workflow-histories.ts [output-dir]
 *
 * Activities are stand-ins with scripted outcomes: a replay never runs them (their results are in
 * the history), so only the commands the workflows emit matter here, and the stand-ins make every
 * branch (a failed delivery, a failed reply, a failed claim) happen on demand.
 */
import { ApplicationFailure } from '@temporalio/common';

import type { Client, WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { searchAttributeArgs } from '../src/temporal/search-attributes.js';
import { temporalCliPath, temporalTestServerPath } from '../src/platform/embedded/tool-paths.js';
import { createTemporalGateway, type TemporalGateway } from '../src/temporal/gateway.js';
import { historyToJSON } from '../src/temporal/history-json.js';
import { installTemporalRuntimeLogger } from '../src/temporal/runtime-logger.js';
import { createLogger } from '../src/platform/logger.js';
import proto from '@temporalio/proto';
import type { ChathookActivities } from '../activities/index.js';
import {
  CHAT_SEARCH_ATTRIBUTE_NAMES,
  FailureType,
  WorkflowType,
  chatWorkflowId,
  type ActivationResult,
  type ChatParties,
  type ChatSettings,
  type InboundMessage,
} from '../workflows/contract.js';

const OUT_DIR = process.argv[2] ? `${resolve(process.argv[2])}/` : fileURLToPath(new URL('../test/fixtures/histories/', import.meta.url));
const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
const TASK_QUEUE = 'record-histories';
const HOUR = 3_600_000;

const SETTINGS: ChatSettings = {
  whatsappWindowMs: 24 * HOUR,
  idleTimeoutMs: 24 * HOUR,
  deliveryMaxDurationMs: HOUR,
  deliveryTimeoutMs: 5_000,
  deliveryRetryInitialMs: 1_000,
  deliveryRetryMaxIntervalMs: 60_000,
  maxMessagesPerRun: 1_000,
};

/** Stand-in activities: text `fail` makes a delivery or a reply fail for good. */
function scriptedActivities(log: string[]): ChathookActivities {
  const activities = {
    async recordChatOpened() {},
    async recordChatClosed() {},
    async markDeliveryFailed() {},
    async deliverWebhookEvent(input: { deliveryId: string; event: { event: string; text: string | null } }) {
      log.push(`deliver ${input.event.event} ${input.event.text ?? ''}`);
      if (input.event.text === 'fail') throw ApplicationFailure.create({ type: 'HTTP_400', message: 'the endpoint answered 400', nonRetryable: true });
      return { statusCode: 200 };
    },
    async sendCarrierMessage(input: { text: string }) {
      log.push(`send ${input.text}`);
      if (input.text === 'fail') throw ApplicationFailure.create({ type: 'HTTP_400', message: 'the carrier answered 400', nonRetryable: true });
    },
    async beginActivation(input: { integrationId: string }) {
      if (input.integrationId === 'gone') return { kind: 'GONE' as const };
      return { kind: 'BEGUN' as const, connectionCodes: ['A', 'B'] };
    },
    async claimConnectionSenders(input: { connectionCode: string }) {
      if (input.connectionCode === 'B') {
        throw ApplicationFailure.create({ type: FailureType.SENDER_IN_USE, message: 'SMS - B: 5491100000000 is in use', nonRetryable: true });
      }
    },
    async recordActivationResult(input: { connections: ActivationResult['connections'] }): Promise<ActivationResult> {
      return { status: 'ACTIVE', partial: input.connections.some((c) => c.status === 'FAILED'), connections: input.connections };
    },
    async deactivateIntegration(input: { integrationId: string }) {
      if (input.integrationId === 'live') {
        throw ApplicationFailure.create({ type: FailureType.LINKED_TO_LIVE_CAMPAIGNS, message: 'linked campaigns are live: Spring', nonRetryable: true });
      }
      return { status: 'INACTIVE' as const };
    },
  };
  return activities as unknown as ChathookActivities;
}

/** Saves every run of a workflow (a chat that continued as new has several), oldest first. */
async function saveHistories(client: Client, name: string, handle: WorkflowHandle): Promise<void> {
  const described = await handle.describe();
  let runId: string | undefined = described.raw.workflowExecutionInfo?.firstRunId ?? described.runId;
  const runs: string[] = [];
  while (runId) {
    const history = await client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
    runs.push(historyToJSON(history));
    const last = history.events?.at(-1);
    runId = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  runs.forEach((json, index) => {
    const file = runs.length === 1 ? `${name}.json` : `${name}.run-${index + 1}.json`;
    writeFileSync(`${OUT_DIR}${file}`, `${json}\n`);
    process.stdout.write(`recorded ${file}\n`);
  });
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function chatScenario(gateway: TemporalGateway, name: string, channel: 'SMS' | 'WHATSAPP' = 'SMS') {
  const chat: ChatParties = {
    tenantId: '65f000000000000000000001',
    integrationId: '65f0000000000000000000a1',
    contact: `54911${name.length}${Date.now() % 100_000_000}`,
    channel,
    connectionCode: 'REC',
    sender: '5491100000001',
  };
  let sequence = 0;
  const inbound = (text: string, messageId = `${name}-${(sequence += 1)}`) => {
    const message: InboundMessage = { messageId, connectionCode: chat.connectionCode, sender: chat.sender, channel, text, media: null, timestamp: '2025-01-01T00:00:00.000Z' };
    return gateway.deliverInbound(chat, message);
  };
  const reply = (text: string) => gateway.sendReply(chat.integrationId, chat.contact, { type: 'MESSAGE', channel, connectionCode: chat.connectionCode, from: chat.sender, text });
  const end = () => gateway.sendReply(chat.integrationId, chat.contact, { type: 'END' });
  return { chat, inbound, reply, end, workflowId: chatWorkflowId(chat.integrationId, chat.contact) };
}

async function withWorker<T>(env: TestWorkflowEnvironment, log: string[], work: () => Promise<T>): Promise<T> {
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue: TASK_QUEUE,
    workflowsPath: WORKFLOWS_PATH,
    activities: scriptedActivities(log),
  });
  return worker.runUntil(work);
}

async function recordOnDevServer(): Promise<void> {
  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: temporalCliPath() }, ip: '127.0.0.1', extraArgs: ['--log-level', 'error', ...searchAttributeArgs()] },
  });
  const log: string[] = [];
  const client = env.client;
  const gateway = createTemporalGateway({ client, taskQueue: TASK_QUEUE, chatSettings: SETTINGS });
  const small = createTemporalGateway({ client, taskQueue: TASK_QUEUE, chatSettings: { ...SETTINGS, maxMessagesPerRun: 3 } });
  try {
    await withWorker(env, log, async () => {
      // One MO delivered, then the client ends the chat.
      const single = chatScenario(gateway, 'chat-mo-end');
      await single.inbound('hello');
      await until(() => log.includes('deliver MESSAGE hello'), 'the first delivery');
      await single.end();
      const singleHandle = client.workflow.getHandle(single.workflowId);
      await singleHandle.result();
      await saveHistories(client, 'chat-mo-end', singleHandle);

      // Several MOs (one a carrier retry, one whose delivery fails), replies (one failing), END.
      const busy = chatScenario(gateway, 'chat-mo-mt', 'WHATSAPP');
      await busy.inbound('one', 'busy-1');
      await busy.inbound('one', 'busy-1');
      await busy.inbound('fail');
      await busy.inbound('three');
      await busy.reply('answer');
      await busy.reply('fail');
      await until(() => log.includes('deliver MESSAGE three') && log.includes('send fail'), 'the busy chat queues');
      await busy.inbound('four');
      await busy.reply('last');
      await busy.end();
      const busyHandle = client.workflow.getHandle(busy.workflowId);
      await busyHandle.result();
      await saveHistories(client, 'chat-mo-mt', busyHandle);

      // A long chat: continue-as-new every 3 accepted messages, queues carried across runs.
      const long = chatScenario(small, 'chat-continue-as-new');
      for (let index = 1; index <= 7; index += 1) {
        await long.inbound(`m${index}`);
        if (index === 4) await long.reply('between runs');
      }
      await until(() => log.includes('deliver MESSAGE m7'), 'the long chat deliveries');
      await long.end();
      const longHandle = client.workflow.getHandle(long.workflowId);
      await longHandle.result();
      await saveHistories(client, 'chat-continue-as-new', longHandle);

      // Activation with one connection claimed and one in use; activation of a deleted integration.
      const activation = await client.workflow.start(WorkflowType.ACTIVATION, {
        workflowId: 'integration-activation-recorded',
        taskQueue: TASK_QUEUE,
        args: [{ tenantId: '65f000000000000000000001', integrationId: '65f0000000000000000000a2' }],
      });
      await activation.result();
      await saveHistories(client, 'integration-activation-partial', activation);
      const gone = await client.workflow.start(WorkflowType.ACTIVATION, {
        workflowId: 'integration-activation-gone',
        taskQueue: TASK_QUEUE,
        args: [{ tenantId: '65f000000000000000000001', integrationId: 'gone' }],
      });
      await gone.result().catch(() => undefined);
      await saveHistories(client, 'integration-activation-gone', gone);

      // Stop: done, and refused while linked campaigns are live.
      for (const [name, integrationId] of [['integration-deactivation', '65f0000000000000000000a3'], ['integration-deactivation-live', 'live']] as const) {
        const stop = await client.workflow.start(WorkflowType.DEACTIVATION, { workflowId: name, taskQueue: TASK_QUEUE, args: [{ tenantId: '65f000000000000000000001', integrationId }] });
        await stop.result().catch(() => undefined);
        await saveHistories(client, name, stop);
      }

      // Replays: one delivered, one that fails for good.
      for (const [name, text] of [['delivery-replay', 'again'], ['delivery-replay-failed', 'fail']] as const) {
        const event = { event: 'MESSAGE', chatId: 'c', contact: '5491100000002', channel: 'SMS', text, multimedia: { url: null, caption: null }, sender: '5491100000001', timestamp: '2025-01-01T00:00:00.000Z' };
        const replay = await client.workflow.start(WorkflowType.DELIVERY_REPLAY, {
          workflowId: name,
          taskQueue: TASK_QUEUE,
          args: [{ delivery: { tenantId: '65f000000000000000000001', integrationId: '65f0000000000000000000a1', deliveryId: `msg_${name}`, event, createdAt: '2025-01-01T00:00:00.000Z' }, settings: SETTINGS }],
        });
        await replay.result();
        await saveHistories(client, name, replay);
      }
    });
  } finally {
    await env.teardown();
  }
}

/** The idle close needs 24 hours to pass: the time-skipping server skips them. */
async function recordOnTimeSkippingServer(): Promise<void> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: temporalTestServerPath() } } });
  const log: string[] = [];
  try {
    await env.connection.operatorService.addSearchAttributes({
      namespace: env.namespace ?? 'default',
      searchAttributes: Object.fromEntries(CHAT_SEARCH_ATTRIBUTE_NAMES.map((name) => [name, proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD])),
    });
    const gateway = createTemporalGateway({ client: env.client, taskQueue: TASK_QUEUE, chatSettings: SETTINGS });
    await withWorker(env, log, async () => {
      const idle = chatScenario(gateway, 'chat-idle-close', 'WHATSAPP');
      await idle.inbound('anyone there?');
      await idle.reply('yes');
      const handle = env.client.workflow.getHandle(idle.workflowId);
      // result() lets the server skip time up to the idle timer.
      await handle.result();
      await saveHistories(env.client, 'chat-idle-close', handle);
    });
  } finally {
    await env.teardown();
  }
}

installTemporalRuntimeLogger(createLogger('warn'));
mkdirSync(OUT_DIR, { recursive: true });
await recordOnDevServer();
await recordOnTimeSkippingServer();
