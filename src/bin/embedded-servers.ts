/**
 * What the embedded entry points share (`npm start` in main.ts, `npm run start:cluster` in
 * cluster-main.ts): the data directory's secrets, the Temporal dev server on its file database,
 * the MongoDB-compatible server, the dev tenant with its sandbox connection, and the banner.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ConfigError, parseConfig, type Config } from '../platform/config.js';
import { createTenant, tenantOfApiKey } from '../services/tenants.js';
import { createConnection } from '../services/connections.js';
import {
  loadOrCreateEmbeddedSecrets,
  makeDataDirPrivate,
  readDevTenant,
  writeDevTenant,
  type DevTenantFile,
  type EmbeddedSecrets,
} from '../platform/embedded/data-dir.js';
import { startEmbeddedMongo } from '../platform/embedded/mongo-server.js';
import { startTemporalDevServer } from '../platform/embedded/temporal-dev-server.js';
import { CHAT_SEARCH_ATTRIBUTE_NAMES } from '../temporal/search-attributes.js';
import { ferretdbPath, temporalCliPath } from '../platform/embedded/tool-paths.js';
import type { Logger } from '../platform/logger.js';
import type { createShutdown } from '../platform/shutdown.js';
import type { Runtime } from './runtime.js';

export function parseConfigOrExit(): Config {
  try {
    return parseConfig();
  } catch (error) {
    process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
    process.exit(1);
  }
}

export interface EmbeddedServers {
  dataDir: string;
  logDir: string;
  secrets: EmbeddedSecrets;
  /** The parsed config with the data directory's root key filled in. */
  config: Config;
  temporalAddress: string;
  /** Undefined when TEMPORAL_ADDRESS names an external Temporal. */
  temporalUi: string | undefined;
  mongodbUri: string;
  engine: string;
}

/**
 * Starts what the environment does not name (TEMPORAL_ADDRESS, MONGODB_URI), each registered
 * with the shutdown so that a half-started run still stops them.
 */
export async function startEmbeddedServers(
  parsedConfig: Config,
  logger: Logger,
  shutdown: ReturnType<typeof createShutdown>,
): Promise<EmbeddedServers> {
  const dataDir = resolve(parsedConfig.dataDir);
  // First: the umask of this process and the servers it spawns, and the modes of what is there already.
  makeDataDirPrivate(dataDir);
  const logDir = join(dataDir, 'logs');
  mkdirSync(logDir, { recursive: true, mode: 0o700 });
  const secrets = loadOrCreateEmbeddedSecrets(dataDir, {
    adminKey: parsedConfig.adminKey,
    encryptionKey: parsedConfig.encryptionKey,
  });
  const config = { ...parsedConfig, adminKey: secrets.adminKey };

  let temporalAddress = config.temporal.address;
  let temporalUi: string | undefined;
  if (!temporalAddress) {
    logger.info('starting the Temporal dev server');
    const temporal = await startTemporalDevServer(
      {
        cliPath: temporalCliPath(config.tools),
        dbFile: join(dataDir, 'temporal.sqlite'),
        port: config.embedded.temporalPort,
        uiPort: config.embedded.temporalUiPort,
        namespace: config.temporal.namespace,
        logFile: join(logDir, 'temporal.log'),
        keywordSearchAttributes: CHAT_SEARCH_ATTRIBUTE_NAMES,
      },
      logger,
    );
    shutdown.add('temporal', () => temporal.stop());
    temporalAddress = `127.0.0.1:${config.embedded.temporalPort}`;
    temporalUi = `http://localhost:${config.embedded.temporalUiPort}`;
  }

  let mongodbUri = config.mongodbUri;
  let engine = 'external MongoDB (MONGODB_URI)';
  if (!mongodbUri) {
    logger.info('starting the embedded MongoDB-compatible server');
    const mongo = await startEmbeddedMongo(
      {
        dataDir,
        port: config.embedded.mongoPort,
        mongodBinary: config.tools.mongodBinary,
        ferretdbPath: () => ferretdbPath(config.tools),
        logFile: join(logDir, 'mongo.log'),
      },
      logger,
    );
    shutdown.add('mongo', () => mongo.stop());
    mongodbUri = mongo.uri;
    engine = mongo.engine;
  }
  return { dataDir, logDir, secrets, config, temporalAddress, temporalUi, mongodbUri, engine };
}

export interface DevTenantSetup {
  devTenant: DevTenantFile & { sandbox: NonNullable<DevTenantFile['sandbox']> };
  devTenantIsNew: boolean;
  sandboxIsNew: boolean;
}

/** The dev tenant of the data directory, made on first start (or when the database lost it). */
export async function ensureDevTenant(runtime: Runtime, dataDir: string): Promise<DevTenantSetup> {
  let devTenant = readDevTenant(dataDir);
  let devTenantIsNew = false;
  if (!devTenant || !(await tenantOfApiKey(runtime.repositories, { apiKey: devTenant.apiKey }))) {
    devTenant = await createTenant(runtime.repositories, { name: 'Development tenant' });
    writeDevTenant(dataDir, devTenant);
    devTenantIsNew = true;
  }
  // A new user watches a whole chat with no carrier: the dev tenant gets a sandbox connection
  // (its carrier secret kept beside the dev key, for the curl of the README's quick start).
  let sandbox = devTenant.sandbox;
  const sandboxIsNew = !sandbox;
  if (!sandbox) {
    sandbox = await createDevSandbox(runtime, devTenant.id);
    devTenant = { ...devTenant, sandbox };
    writeDevTenant(dataDir, devTenant);
  }
  return { devTenant: { ...devTenant, sandbox }, devTenantIsNew, sandboxIsNew };
}

const DEV_SANDBOX_SENDER = '55555';

async function createDevSandbox(runtime: Runtime, tenantId: string): Promise<NonNullable<DevTenantFile['sandbox']>> {
  // Codes are platform-wide: a random suffix keeps a shared database's dev tenants apart.
  const code = `SANDBOX-${randomBytes(3).toString('hex').toUpperCase()}`;
  const created = await createConnection(
    { ...runtime.repositories, secretBox: runtime.secretBox, quotas: runtime.config.quotas },
    {
      tenantId,
      input: { code, channel: 'SMS', senders: [DEV_SANDBOX_SENDER], carrier: { type: 'sandbox' } },
      actor: 'TENANT',
    },
  );
  return { code, sender: DEV_SANDBOX_SENDER, carrierSecret: created.carrierSecret };
}

/** The "ready" banner; `extraLines` go before the Ctrl-C line (the cluster's processes). */
export function readyBanner(
  servers: EmbeddedServers,
  setup: DevTenantSetup,
  baseUrl: string,
  title: string,
  extraLines: string[] = [],
): string {
  const { dataDir, temporalUi, temporalAddress, engine } = servers;
  const { devTenant, devTenantIsNew, sandboxIsNew } = setup;
  const { sandbox } = devTenant;
  const lines = [
    '',
    `chathook is ready (${title})`,
    `  API:          ${baseUrl}`,
    `  Console:      ${baseUrl}/console`,
    `  Temporal UI:  ${temporalUi ?? `(external Temporal at ${temporalAddress})`}`,
    `  MongoDB:      ${engine}`,
    `  Data:         ${dataDir}`,
    devTenantIsNew
      ? `  Dev tenant API key (shown once, kept in ${join(dataDir, 'dev-tenant.json')}):\n    ${devTenant.apiKey}`
      : `  Dev tenant API key: in ${join(dataDir, 'dev-tenant.json')}`,
    sandboxIsNew
      ? `  Sandbox connection ${sandbox.code} (SMS sender ${sandbox.sender}), carrier secret (shown once, kept in ${join(dataDir, 'dev-tenant.json')}):\n    ${sandbox.carrierSecret}`
      : `  Sandbox connection ${sandbox.code} (SMS sender ${sandbox.sender}): carrier secret in ${join(dataDir, 'dev-tenant.json')}`,
    `  Root key: in ${join(dataDir, 'secrets.json')} (or CHATHOOK_ADMIN_KEY)`,
    ...extraLines,
    '  Ctrl-C stops everything.',
    '',
  ];
  return `${lines.join('\n')}\n`;
}
