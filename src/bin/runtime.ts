import type { Connection as MongoConnection } from 'mongoose';
import { parseConfig, requireProductionSettings, type Config } from '../platform/config.js';
import { createLogger } from '../platform/logger.js';
import { createShutdown } from '../platform/shutdown.js';
import { connectDatabase, openRepositories, type Repositories } from '../db/database.js';
import type { Logger } from '../platform/logger.js';
import { createSecretBox, type SecretBox } from '../platform/secrets.js';
import { connectTemporalClient, type TemporalClientHandle } from '../temporal/client.js';
import { chatSettingsOf, createTemporalGateway, type TemporalGateway } from '../temporal/gateway.js';
import type { AppDeps } from '../http/app.js';
import { createMetrics, type ChathookMetrics } from '../platform/metrics.js';
import { createOutboundDispatcher } from '../platform/outbound-http.js';
import type { Dispatcher } from 'undici';
import { createRouteCache, type RouteCache } from '../platform/route-cache.js';

/**
 * The long-lived clients every entry point shares, opened once at start and passed down. The
 * database is reached through `repositories` only; `db` is the handle itself, for readiness
 * probes and closing.
 */
export interface Runtime {
  config: Config;
  logger: Logger;
  db: MongoConnection;
  repositories: Repositories;
  secretBox: SecretBox;
  temporal: TemporalClientHandle;
  gateway: TemporalGateway;
  metrics: ChathookMetrics;
  /** The pooled, SSRF-guarded HTTP client for client webhooks and carriers. */
  dispatcher: Dispatcher;
  /** One per process: the API's routing and the worker's first attempts read it; management writes here clear it. */
  routeCache: RouteCache;
  close(): Promise<void>;
}

export interface RuntimeEndpoints {
  mongodbUri: string;
  temporalAddress: string;
  encryptionKey: Buffer;
}

/**
 * `chatUpdateWaitMs`: how long an MO or MT waits for its chat before a 503 (the gateway's default unless a test
 * shortens it).
 */
export interface RuntimeOptions {
  chatUpdateWaitMs?: number;
}

export async function openRuntime(
  config: Config,
  logger: Logger,
  endpoints: RuntimeEndpoints,
  options: RuntimeOptions = {},
): Promise<Runtime> {
  const metrics = createMetrics();
  const db = await connectDatabase(endpoints.mongodbUri, {
    onCommand: ({ command, collection, durationMs, failed }) =>
      metrics.dbCommands.observe({ command, collection, outcome: failed ? 'failed' : 'ok' }, durationMs / 1000),
  });
  const repositories = await openRepositories(db);
  const temporal = await connectTemporalClient(endpoints.temporalAddress, config.temporal.namespace);
  const dispatcher = createOutboundDispatcher({
    allowPrivate: config.webhookAllowPrivate,
    connectTimeoutMs: config.delivery.timeoutMs,
  });
  const gateway = createTemporalGateway({
    client: temporal.client,
    taskQueue: config.temporal.taskQueue,
    chatSettings: chatSettingsOf(config),
    chatUpdateWaitMs: options.chatUpdateWaitMs,
    metrics,
    logger,
  });
  return {
    config,
    logger,
    db,
    repositories,
    secretBox: createSecretBox(endpoints.encryptionKey),
    temporal,
    gateway,
    metrics,
    dispatcher,
    routeCache: createRouteCache({ ttlMs: config.routeCacheTtlMs }),
    async close() {
      await dispatcher.close();
      await temporal.connection.close();
      await db.close();
    },
  };
}

/** How long start/stop wait for their workflow before a 503, unless a test shortens it. */
const LIFECYCLE_WAIT_MS = 25_000;

/** What the HTTP app needs of the runtime (`lifecycleWaitMs`: how long start/stop wait before a 503). */
export function appDepsOf(runtime: Runtime, options: { lifecycleWaitMs?: number } = {}): AppDeps {
  return {
    config: runtime.config,
    repositories: runtime.repositories,
    secretBox: runtime.secretBox,
    logger: runtime.logger,
    readiness: { db: runtime.db, temporal: runtime.temporal.connection, namespace: runtime.config.temporal.namespace },
    gateway: runtime.gateway,
    metrics: runtime.metrics,
    routeCache: runtime.routeCache,
    lifecycleWaitMs: options.lifecycleWaitMs ?? LIFECYCLE_WAIT_MS,
  };
}

/**
 * The production entry points' start: every setting from the environment (no embedded server),
 * the runtime opened, and closed on SIGINT/SIGTERM.
 */
export async function openProductionRuntime(needs: Parameters<typeof requireProductionSettings>[1]) {
  const config = parseConfig();
  requireProductionSettings(config, needs);
  const logger = createLogger(config.logLevel);
  const shutdown = createShutdown(logger);
  const runtime = await openRuntime(config, logger, {
    mongodbUri: config.mongodbUri!,
    temporalAddress: config.temporal.address!,
    encryptionKey: config.encryptionKey!,
  });
  shutdown.add('runtime', () => runtime.close());
  return { config, logger, shutdown, runtime };
}
