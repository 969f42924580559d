import { z } from 'zod';

const DURATION_UNITS_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Parses `500ms`, `30s`, `5m`, `24h`, `2d` into milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a duration (use 500ms, 30s, 5m, 24h)`);
  const ms = Number(match[1]) * DURATION_UNITS_MS[match[2] as keyof typeof DURATION_UNITS_MS];
  if (!Number.isSafeInteger(ms) || ms <= 0) throw new Error(`"${text}" must be a positive duration`);
  return ms;
}

/** `orZero`: `0` is also taken (meaning off), as the README documents for ROUTE_CACHE_TTL. */
const duration = (fallback: string, orZero = false) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      try {
        return orZero && text.trim() === '0' ? 0 : parseDuration(text);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    });

/** `Boolean('false')` is true, so flags accept exactly the two words. */
const flag = (fallback: 'true' | 'false') =>
  z
    .enum(['true', 'false'], { error: 'must be "true" or "false"' })
    .default(fallback)
    .transform((value) => value === 'true');

const port = (fallback: number) => z.coerce.number().int().min(0).max(65_535).default(fallback);
const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

/** A tenant quota: a whole number, 0 forbids creating any. */
const quota = (fallback: number) => z.coerce.number().int().min(0).max(1_000_000_000).default(fallback);

/** Calls a minute: unset takes `fallback` (a rate no normal client meets), empty (or blanks) means no limit. */
const perMinute = (fallback: number) =>
  z
    .string()
    .default(String(fallback))
    .transform((value) => (value.trim() === '' ? undefined : value.trim()))
    .pipe(
      z
        .string()
        .regex(/^[1-9][0-9]{0,6}$/, 'must be a whole number of calls a minute (1 or more), or empty for no limit')
        .transform(Number)
        .optional(),
    );

/** 32 bytes, given as 64 hex characters or base64 / base64url. */
export function parseEncryptionKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) throw new Error('must be 32 bytes as 64 hex characters or base64');
  return key;
}

const EnvSchema = z.object({
  PORT: port(3000),
  HOST: z.string().default('0.0.0.0'),
  PUBLIC_BASE_URL: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
  CHATHOOK_ADMIN_KEY: optionalText.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  CHATHOOK_DATA_DIR: z.string().default('./.chathook'),
  CHATHOOK_ENCRYPTION_KEY: optionalText.transform((text, ctx) => {
    if (text === undefined) return undefined;
    try {
      return parseEncryptionKey(text);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  }),
  TEMPORAL_ADDRESS: optionalText,
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('chathook'),
  MONGODB_URI: optionalText.pipe(
    z
      .string()
      .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
      .optional(),
  ),
  WEBHOOK_ALLOW_PRIVATE: flag('false'),
  WHATSAPP_SESSION_WINDOW: duration('24h'),
  CHAT_IDLE_TIMEOUT: duration('24h'),
  DELIVERY_MAX_DURATION: duration('24h'),
  DELIVERY_RETRY_INITIAL: duration('5s'),
  DELIVERY_RETRY_MAX_INTERVAL: duration('1h'),
  DELIVERY_TIMEOUT: duration('10s'),
  ROUTE_CACHE_TTL: duration('1s', true),
  SIGNING_SECRET_OVERLAP: duration('24h'),
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(100_000).default(1_000),
  // host:port for the Temporal SDK's own Prometheus exporter (workflow task failures, slots, latencies); unset = off.
  WORKER_METRICS_ADDRESS: z
    .string()
    .regex(/^[^\s:]+:\d{1,5}$/, 'host:port')
    .optional(),
  CHAT_MESSAGES_PER_RUN: z.coerce.number().int().min(2).max(1_500).default(1_000),
  CHAT_MAX_PENDING: z.coerce.number().int().min(1).max(100_000).default(1_000),
  QUOTA_INTEGRATIONS: quota(100),
  QUOTA_CONNECTIONS: quota(100),
  QUOTA_SENDERS_PER_CONNECTION: quota(20),
  QUOTA_RESERVATIONS: quota(1_000),
  QUOTA_CAMPAIGNS: quota(1_000),
  QUOTA_TEMPLATE_BYTES: quota(4 * 1024 * 1024),
  RATE_LIMIT_MANAGEMENT_PER_MINUTE: perMinute(3_000),
  RATE_LIMIT_RESPONSE_WEBHOOK_PER_MINUTE: perMinute(6_000),
  RATE_LIMIT_REPLAYS_PER_DELIVERY_PER_MINUTE: perMinute(10),
  RATE_LIMIT_REPLAYS_PER_INTEGRATION_PER_MINUTE: perMinute(120),
  // Unset leaves /metrics open (the embedded default, a scrape from the same host); set it wherever the API is
  // reachable.
  METRICS_TOKEN: optionalText.pipe(
    z
      .string()
      .min(16, 'must be at least 16 characters')
      .regex(/^[\x21-\x7e]+$/, 'printable ASCII without blanks (a Bearer token)')
      .optional(),
  ),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TEMPORAL_CLI_PATH: optionalText,
  FERRETDB_PATH: optionalText,
  MONGOMS_SYSTEM_BINARY: optionalText,
  EMBEDDED_TEMPORAL_PORT: port(7233),
  EMBEDDED_TEMPORAL_UI_PORT: port(8233),
  EMBEDDED_MONGO_PORT: port(27027),
  // `npm run start:cluster`: processes of each role on one machine, and the wait before one that died is started again.
  CLUSTER_API_PROCESSES: z.coerce.number().int().min(1).max(64).default(2),
  CLUSTER_WORKER_PROCESSES: z.coerce.number().int().min(1).max(64).default(2),
  CLUSTER_RESTART_DELAY: duration('2s'),
});

export interface Config {
  port: number;
  host: string;
  /** Undefined means "derive from the port the API listens on". */
  publicBaseUrl: string | undefined;
  adminKey: string | undefined;
  dataDir: string;
  encryptionKey: Buffer | undefined;
  temporal: {
    address: string | undefined;
    namespace: string;
    taskQueue: string;
    maxCachedWorkflows: number;
    workerMetricsAddress: string | undefined;
  };
  mongodbUri: string | undefined;
  webhookAllowPrivate: boolean;
  whatsappSessionWindowMs: number;
  chatIdleTimeoutMs: number;
  /** Accepted messages after which a chat run continues as new (Temporal allows 2,000 updates per run). */
  chatMessagesPerRun: number;
  /**
   * Undelivered events a chat holds before its MOs get 429 CHAT_BACKLOG: the workflow keeps one
   * small entry (ids and retry progress) per event, so this bounds its state, not a payload.
   */
  chatMaxPending: number;
  delivery: { maxDurationMs: number; retryInitialMs: number; retryMaxIntervalMs: number; timeoutMs: number };
  /** How long an API process serves routing (connections, claims, integrations) from its cache; 0 = off. */
  routeCacheTtlMs: number;
  /** How long the signing secret a rotation replaced still signs deliveries beside the new one. */
  signingSecretOverlapMs: number;
  /** Calls a minute per tenant key (management API) and per integration (response webhook); undefined = no limit. */
  rateLimits: {
    managementPerMinute: number | undefined;
    responseWebhookPerMinute: number | undefined;
    /** Replays a minute of one delivery, and of all the deliveries of one integration. */
    replaysPerDeliveryPerMinute: number | undefined;
    replaysPerIntegrationPerMinute: number | undefined;
  };
  /** Per-tenant quotas (QUOTA_*): what a tenant may hold unless the operator sets an override on the tenant. */
  quotas: Quotas;
  /** The Bearer token /metrics requires; undefined = open. */
  metricsToken: string | undefined;
  logLevel: string;
  tools: { temporalCliPath: string | undefined; ferretdbPath: string | undefined; mongodBinary: string | undefined };
  embedded: { temporalPort: number; temporalUiPort: number; mongoPort: number };
  /** `npm run start:cluster` (src/bin/cluster-main.ts): API and worker processes, restart delay. */
  cluster: { apiProcesses: number; workerProcesses: number; restartDelayMs: number };
}

/** What one tenant may hold; each is checked in one place, src/services/quotas.ts. */
export interface Quotas {
  integrations: number;
  connections: number;
  sendersPerConnection: number;
  reservations: number;
  campaigns: number;
  /** Bytes of webhook template rows (params, headers, body) over all the tenant's integrations. */
  templateBytes: number;
}

export type QuotaName = keyof Quotas;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads the environment once; a bad value throws a ConfigError naming every bad variable. */
export function parseConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.DELIVERY_RETRY_INITIAL > e.DELIVERY_RETRY_MAX_INTERVAL) {
    throw new ConfigError(
      'Invalid configuration:\n  DELIVERY_RETRY_INITIAL: must not exceed DELIVERY_RETRY_MAX_INTERVAL',
    );
  }
  return {
    port: e.PORT,
    host: e.HOST,
    publicBaseUrl: e.PUBLIC_BASE_URL?.replace(/\/+$/, ''),
    adminKey: e.CHATHOOK_ADMIN_KEY,
    dataDir: e.CHATHOOK_DATA_DIR,
    encryptionKey: e.CHATHOOK_ENCRYPTION_KEY,
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS,
      workerMetricsAddress: e.WORKER_METRICS_ADDRESS,
    },
    mongodbUri: e.MONGODB_URI,
    webhookAllowPrivate: e.WEBHOOK_ALLOW_PRIVATE,
    whatsappSessionWindowMs: e.WHATSAPP_SESSION_WINDOW,
    chatIdleTimeoutMs: e.CHAT_IDLE_TIMEOUT,
    chatMessagesPerRun: e.CHAT_MESSAGES_PER_RUN,
    chatMaxPending: e.CHAT_MAX_PENDING,
    delivery: {
      maxDurationMs: e.DELIVERY_MAX_DURATION,
      retryInitialMs: e.DELIVERY_RETRY_INITIAL,
      retryMaxIntervalMs: e.DELIVERY_RETRY_MAX_INTERVAL,
      timeoutMs: e.DELIVERY_TIMEOUT,
    },
    signingSecretOverlapMs: e.SIGNING_SECRET_OVERLAP,
    routeCacheTtlMs: e.ROUTE_CACHE_TTL,
    rateLimits: {
      managementPerMinute: e.RATE_LIMIT_MANAGEMENT_PER_MINUTE,
      responseWebhookPerMinute: e.RATE_LIMIT_RESPONSE_WEBHOOK_PER_MINUTE,
      replaysPerDeliveryPerMinute: e.RATE_LIMIT_REPLAYS_PER_DELIVERY_PER_MINUTE,
      replaysPerIntegrationPerMinute: e.RATE_LIMIT_REPLAYS_PER_INTEGRATION_PER_MINUTE,
    },
    quotas: {
      integrations: e.QUOTA_INTEGRATIONS,
      connections: e.QUOTA_CONNECTIONS,
      sendersPerConnection: e.QUOTA_SENDERS_PER_CONNECTION,
      reservations: e.QUOTA_RESERVATIONS,
      campaigns: e.QUOTA_CAMPAIGNS,
      templateBytes: e.QUOTA_TEMPLATE_BYTES,
    },
    metricsToken: e.METRICS_TOKEN,
    logLevel: e.LOG_LEVEL,
    tools: {
      temporalCliPath: e.TEMPORAL_CLI_PATH,
      ferretdbPath: e.FERRETDB_PATH,
      mongodBinary: e.MONGOMS_SYSTEM_BINARY,
    },
    embedded: {
      temporalPort: e.EMBEDDED_TEMPORAL_PORT,
      temporalUiPort: e.EMBEDDED_TEMPORAL_UI_PORT,
      mongoPort: e.EMBEDDED_MONGO_PORT,
    },
    cluster: {
      apiProcesses: e.CLUSTER_API_PROCESSES,
      workerProcesses: e.CLUSTER_WORKER_PROCESSES,
      restartDelayMs: e.CLUSTER_RESTART_DELAY,
    },
  };
}

/** Production entry points (api, worker) run against external servers and need every secret given. */
export function requireProductionSettings(
  config: Config,
  needs: ReadonlyArray<'adminKey' | 'encryptionKey' | 'temporal' | 'mongodb'>,
): void {
  const missing: string[] = [];
  if (needs.includes('adminKey') && !config.adminKey) missing.push('CHATHOOK_ADMIN_KEY');
  if (needs.includes('encryptionKey') && !config.encryptionKey) missing.push('CHATHOOK_ENCRYPTION_KEY');
  if (needs.includes('temporal') && !config.temporal.address) missing.push('TEMPORAL_ADDRESS');
  if (needs.includes('mongodb') && !config.mongodbUri) missing.push('MONGODB_URI');
  if (missing.length > 0) {
    throw new ConfigError(
      `Invalid configuration:\n${missing.map((name) => `  ${name}: required (outside the embedded default)`).join('\n')}`,
    );
  }
}

export function publicBaseUrlOf(config: Config, listeningPort: number): string {
  return config.publicBaseUrl ?? `http://localhost:${listeningPort}`;
}
