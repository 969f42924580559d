import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { createTenant } from '../../src/api/tenants-router.js';
import { parseConfig, type Config } from '../../src/config.js';
import { DEFAULT_BODY, type Channel } from '../../src/domain/webhook-template.js';
import { temporalTestServerPath } from '../../src/embedded/tool-paths.js';
import { createLogger } from '../../src/logger.js';
import { openServices, type Services } from '../../src/runtime.js';
import { generateResponseToken, generateSigningSecret, hashToken } from '../../src/secrets.js';

export interface TimeSkippingStack {
  env: TestWorkflowEnvironment;
  config: Config;
  services: Services;
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
  const testEnv = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalTestServerPath() } },
  });
  try {
    return await startOn(testEnv, env);
  } catch (error) {
    await testEnv.teardown();
    throw error;
  }
}

async function startOn(testEnv: TestWorkflowEnvironment, env: Record<string, string>): Promise<TimeSkippingStack> {
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
  const services = await openServices(config, createLogger(config.logLevel), { mongodbUri: mongoUri, temporalAddress: testEnv.address, encryptionKey });
  const worker = await Worker.create({
    connection: testEnv.nativeConnection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    workflowsPath: fileURLToPath(new URL('../../workflows/index.ts', import.meta.url)),
    activities: createActivities(services),
  });
  const running = worker.run();
  const tenant = await createTenant(services.models, 'Acme');
  return {
    env: testEnv,
    config,
    services,
    worker,
    tenantId: tenant.id,
    async close() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await services.db.dropDatabase();
      await services.close();
      await testEnv.teardown();
    },
  };
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
export async function seedIntegration(stack: TimeSkippingStack, url: string, channel: Channel): Promise<SeededIntegration> {
  seeded += 1;
  const { models, secretBox } = stack.services;
  const connectionCode = `TS-${channel}-${seeded}`;
  const sender = `58412${String(seeded).padStart(7, '0')}`;
  await models.Connection.create({ tenantId: stack.tenantId, code: connectionCode, channel, senders: [sender], carrier: { type: 'sandbox' } });
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
