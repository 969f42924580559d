/**
 * The embedded default (`npm start`): Temporal dev server, MongoDB-compatible server, worker and
 * API in one process tree, data under CHATHOOK_DATA_DIR. Production runs api-main / worker-main.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, parseConfig, publicBaseUrlOf } from '../platform/config.js';
import { hashToken } from '../platform/secrets.js';
import { randomBytes } from 'node:crypto';
import { createTenant } from '../services/tenants.js';
import { createConnection } from '../services/connections.js';
import { loadOrCreateEmbeddedSecrets, readDevTenant, writeDevTenant, type DevTenantFile } from '../platform/embedded/data-dir.js';
import { startEmbeddedMongo } from '../platform/embedded/mongo-server.js';
import { startTemporalDevServer } from '../platform/embedded/temporal-dev-server.js';
import { CHAT_SEARCH_ATTRIBUTE_NAMES } from '../temporal/search-attributes.js';
import { ferretdbPath, temporalCliPath } from '../platform/embedded/tool-paths.js';
import { ensureConsoleBuilt } from '../platform/embedded/console-build.js';
import { startApi } from '../http/server.js';
import { createLogger } from '../platform/logger.js';
import { appDepsOf, openServices } from './runtime.js';
import { createShutdown } from '../platform/shutdown.js';
import { startWorker } from '../temporal/worker.js';

function parseConfigOrExit() {
  try {
    return parseConfig();
  } catch (error) {
    process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
    process.exit(1);
  }
}

const parsedConfig = parseConfigOrExit();
const logger = createLogger(parsedConfig.logLevel);
const shutdown = createShutdown(logger);

async function main() {
  const dataDir = resolve(parsedConfig.dataDir);
  const logDir = join(dataDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const secrets = loadOrCreateEmbeddedSecrets(dataDir, { adminKey: parsedConfig.adminKey, encryptionKey: parsedConfig.encryptionKey });
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

  const services = await openServices(config, logger, { mongodbUri, temporalAddress, encryptionKey: secrets.encryptionKey });
  shutdown.add('services', () => services.close());
  const worker = await startWorker(services, temporalAddress);
  // Steps run in reverse: the API stops taking requests, then the worker lets its in-flight
  // activities finish (its grace time), then the clients and the embedded servers close.
  shutdown.add('worker', async () => {
    logger.info({ shutdownGraceMs: worker.shutdownGraceMs }, 'worker stopping: in-flight activities finish first');
    await worker.shutdown();
  });
  worker.done.catch((error: unknown) => {
    logger.fatal({ err: error }, 'worker crashed');
    void shutdown.shutdown('worker crashed', 1);
  });
  // A console that fails to build must not keep the API down: /console then says it is not built.
  await ensureConsoleBuilt((line) => logger.info(line)).catch((error: unknown) => logger.error({ err: error }, 'the console could not be built'));
  const api = await startApi(appDepsOf(services), config.port, config.host);
  shutdown.add('api', () => api.close());

  let devTenant = readDevTenant(dataDir);
  let devTenantIsNew = false;
  if (!devTenant || !(await services.models.Tenant.exists({ apiKeyHash: hashToken(devTenant.apiKey) }))) {
    devTenant = await createTenant(services.models, 'Development tenant');
    writeDevTenant(dataDir, devTenant);
    devTenantIsNew = true;
  }
  // A new user watches a whole chat with no carrier: the dev tenant gets a sandbox connection
  // (its carrier secret kept beside the dev key, for the curl of the README's quick start).
  let sandbox = devTenant.sandbox;
  const sandboxIsNew = !sandbox;
  if (!sandbox) {
    sandbox = await createDevSandbox(services, devTenant.id);
    devTenant = { ...devTenant, sandbox };
    writeDevTenant(dataDir, devTenant);
  }

  const baseUrl = publicBaseUrlOf(config, api.port);
  const lines = [
    '',
    'chathook is ready (embedded default)',
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
    '  Ctrl-C stops everything.',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

const DEV_SANDBOX_SENDER = '55555';

async function createDevSandbox(services: Awaited<ReturnType<typeof openServices>>, tenantId: string): Promise<NonNullable<DevTenantFile['sandbox']>> {
  // Codes are platform-wide: a random suffix keeps a shared database's dev tenants apart.
  const code = `SANDBOX-${randomBytes(3).toString('hex').toUpperCase()}`;
  const created = await createConnection(
    services.models,
    services.secretBox,
    tenantId,
    { code, channel: 'SMS', senders: [DEV_SANDBOX_SENDER], carrier: { type: 'sandbox' } },
    'TENANT',
  );
  return { code, sender: DEV_SANDBOX_SENDER, carrierSecret: created.carrierSecret };
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, 'chathook failed to start');
  void shutdown.shutdown('start failed', 1);
});
