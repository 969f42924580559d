import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { createTenant } from '../../src/services/tenants.js';
import { parseConfig, type Config } from '../../src/platform/config.js';
import { DEFAULT_BODY, type Channel } from '../../src/domain/webhook-template.js';
import { CHAT_SEARCH_ATTRIBUTE_NAMES } from '../../src/temporal/search-attributes.js';
import { temporalTestServerPath } from '../../src/platform/embedded/tool-paths.js';
import { createLogger } from '../../src/platform/logger.js';
import { openRuntime, type Runtime } from '../../src/bin/runtime.js';
import { createModels, type Models } from '../../src/db/models.js';
import { installTemporalRuntimeLogger } from '../../src/temporal/runtime-logger.js';
import { generateResponseToken, generateSigningSecret, hashToken } from '../../src/platform/secrets.js';

export interface TimeSkippingStack {
  env: TestWorkflowEnvironment;
  config: Config;
  runtime: Runtime;
  /** The collections themselves, for seeding and inspection. */
  models: Models;
  worker: Worker;
  tenantId: string;
  close(): Promise<void>;
}

/**
 * Temporal's time-skipping test server with a real worker running the real workflows and
 * activities, on a database of its own. Durations stay at their production defaults (24h):
 * the server skips the time, so tests see real timers fire without waiting for them.
 */
export async function startTimeSkippingStack(env: Record<string, string> = {}): Promise<TimeSkippingStack> {
  const logger = createLogger(env.LOG_LEVEL ?? 'silent');
  // Before the environment exists: it would otherwise install a runtime that prints every SDK
  // log line (one per failed activity attempt) to the console.
  installTemporalRuntimeLogger(logger);
  const testEnv = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalTestServerPath() } },
  });
  const cleanups: Array<() => Promise<unknown>> = [() => testEnv.teardown()];
  const close = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  try {
    const database = `t_${randomBytes(6).toString('hex')}`;
    const mongoUri = inject('mongoUri').replace(/\/[^/?]*(\?|$)/, `/${database}$1`);
    const encryptionKey = randomBytes(32);
    const config = parseConfig({
      CHATHOOK_ENCRYPTION_KEY: encryptionKey.toString('base64'),
      TEMPORAL_ADDRESS: testEnv.address,
      TEMPORAL_TASK_QUEUE: `chathook-${database}`,
      MONGODB_URI: mongoUri,
      WEBHOOK_ALLOW_PRIVATE: 'true',
      LOG_LEVEL: 'silent',
      DELIVERY_RETRY_INITIAL: '5s',
      DELIVERY_RETRY_MAX_INTERVAL: '1h',
      ...env,
    });
    // The test server has no ListSearchAttributes (so no ensureChatSearchAttributes): add them outright.
    await testEnv.connection.operatorService.addSearchAttributes({
      namespace: config.temporal.namespace,
      searchAttributes: Object.fromEntries(
        CHAT_SEARCH_ATTRIBUTE_NAMES.map((name) => [
          name,
          temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
        ]),
      ),
    });
    const runtime = await openRuntime(config, logger, {
      mongodbUri: mongoUri,
      temporalAddress: testEnv.address,
      encryptionKey,
    });
    cleanups.push(
      () => runtime.close(),
      () => runtime.db.dropDatabase(),
    );
    const worker = await Worker.create({
      connection: testEnv.nativeConnection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      workflowsPath: fileURLToPath(new URL('../../workflows/index.ts', import.meta.url)),
      // No receiver-recovery announcements: these tests drive each chat's timers themselves.
      activities: createActivities({ ...runtime, announceReceiverRecovered: () => undefined }),
    });
    const running = worker.run();
    cleanups.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    });
    const tenant = await createTenant(runtime.repositories, { name: 'Acme' });
    return { env: testEnv, config, runtime, models: createModels(runtime.db), worker, tenantId: tenant.id, close };
  } catch (error) {
    await close();
    throw error;
  }
}

export interface SeededIntegration {
  integrationId: string;
  signingSecret: string;
  connectionCode: string;
  sender: string;
  channel: Channel;
}

let seeded = 0;

/**
 * An ACTIVE integration posting the default body to `url`, with one sandbox-carrier connection,
 * written straight to the database as the API would (activation is not what these tests are about).
 */
export async function seedIntegration(
  stack: TimeSkippingStack,
  url: string,
  channel: Channel,
): Promise<SeededIntegration> {
  seeded += 1;
  const { models } = stack;
  const { secretBox } = stack.runtime;
  const connectionCode = `TS-${channel}-${seeded}`;
  const sender = `58412${String(seeded).padStart(7, '0')}`;
  await models.Connection.create({
    tenantId: stack.tenantId,
    code: connectionCode,
    channel,
    senders: [sender],
    carrier: { type: 'sandbox' },
  });
  const responseToken = generateResponseToken();
  const signingSecret = generateSigningSecret();
  const integration = await models.Integration.create({
    tenantId: stack.tenantId,
    alias: `Timers ${seeded}`,
    method: 'POST',
    url,
    params: [],
    auth: { type: 'NONE' },
    headers: [],
    body: [...DEFAULT_BODY],
    connections: [{ code: connectionCode }],
    status: 'ACTIVE',
    responseTokenHash: hashToken(responseToken),
    responseTokenSealed: secretBox.seal(responseToken),
    signingSecretSealed: secretBox.seal(signingSecret),
  });
  return { integrationId: integration._id.toHexString(), signingSecret, connectionCode, sender, channel };
}
