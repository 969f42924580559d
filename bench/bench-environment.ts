import { UNLIMITED_ENV } from './unlimited.js';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { parseConfig } from '../src/platform/config.js';
import { createTenant } from '../src/services/tenants.js';
import { startEmbeddedMongo } from '../src/platform/embedded/mongo-server.js';
import { searchAttributeArgs } from '../src/temporal/search-attributes.js';
import { ferretdbPath, temporalCliPath } from '../src/platform/embedded/tool-paths.js';
import { startApi } from '../src/http/server.js';
import { createLogger } from '../src/platform/logger.js';
import { appDepsOf, openRuntime } from '../src/bin/runtime.js';
import { installTemporalRuntimeLogger } from '../src/temporal/runtime-logger.js';
import { startWorker } from '../src/temporal/worker.js';
import { apiClient } from '../test/support/harness.js';
import { freePort } from '../test/support/free-port.js';

/** The same real servers the tests use, started for one benchmark run and torn down after. */
export async function startBenchEnvironment(env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'chathook-bench-'));
  const logger = createLogger(process.env.BENCH_LOG_LEVEL ?? 'silent');
  installTemporalRuntimeLogger(logger);
  const temporal = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCliPath() },
      ip: '127.0.0.1',
      extraArgs: ['--log-level', 'error', ...searchAttributeArgs()],
    },
  });
  const mongo = await startEmbeddedMongo(
    {
      dataDir: dir,
      port: await freePort(),
      mongodBinary: process.env.MONGOMS_SYSTEM_BINARY,
      ferretdbPath: () => ferretdbPath(),
      logFile: join(dir, 'mongo.log'),
    },
    logger,
  );
  // A start that fails half-way must not leave the servers running behind it.
  const stopServers = async () => {
    await temporal.teardown();
    await mongo.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    return await startServices(env, { dir, logger, temporal, mongo, stopServers });
  } catch (error) {
    await stopServers();
    throw error;
  }
}

async function startServices(
  env: Record<string, string>,
  context: {
    dir: string;
    logger: ReturnType<typeof createLogger>;
    temporal: TestWorkflowEnvironment;
    mongo: Awaited<ReturnType<typeof startEmbeddedMongo>>;
    stopServers: () => Promise<void>;
  },
) {
  const { logger, temporal, mongo } = context;
  const encryptionKey = randomBytes(32);
  const config = parseConfig({
    CHATHOOK_ADMIN_KEY: 'bench-admin-key-0123456789',
    CHATHOOK_ENCRYPTION_KEY: encryptionKey.toString('base64'),
    TEMPORAL_ADDRESS: temporal.address,
    MONGODB_URI: mongo.uri,
    WEBHOOK_ALLOW_PRIVATE: 'true',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent',
    ...UNLIMITED_ENV,
    ...env,
  });
  const runtime = await openRuntime(config, logger, {
    mongodbUri: mongo.uri,
    temporalAddress: temporal.address,
    encryptionKey,
  });
  const worker = await startWorker(runtime, temporal.address);
  const api = await startApi(appDepsOf(runtime), 0, '127.0.0.1');
  const baseUrl = `http://127.0.0.1:${api.port}`;
  const tenant = await createTenant(runtime.repositories, { name: 'Bench' });
  return {
    engine: mongo.engine,
    baseUrl,
    runtime,
    temporal,
    client: apiClient(baseUrl, tenant.apiKey),
    async close() {
      await api.close();
      await worker.shutdown();
      await runtime.close();
      await context.stopServers();
    },
  };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export function summarize(label: string, samplesMs: readonly number[], wallMs: number): string {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, value) => sum + value, 0) / sorted.length;
  return `${label}: n=${sorted.length} p50=${percentile(sorted, 50).toFixed(1)}ms p99=${percentile(sorted, 99).toFixed(1)}ms mean=${mean.toFixed(1)}ms max=${sorted[sorted.length - 1]!.toFixed(1)}ms throughput=${((sorted.length / wallMs) * 1000).toFixed(1)}/s`;
}
