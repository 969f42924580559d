/**
 * The embedded default (`npm start`): Temporal dev server, MongoDB-compatible server, worker and
 * API in one process tree, data under CHATHOOK_DATA_DIR. Production runs api-main / worker-main.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, parseConfig, publicBaseUrlOf } from '../platform/config.js';
import { hashToken } from '../platform/secrets.js';
import { createTenant } from '../services/tenants.js';
import { loadOrCreateEmbeddedSecrets, readDevTenant, writeDevTenant } from '../platform/embedded/data-dir.js';
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
    `  Root key: in ${join(dataDir, 'secrets.json')} (or CHATHOOK_ADMIN_KEY)`,
    '  Ctrl-C stops everything.',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, 'chathook failed to start');
  void shutdown.shutdown('start failed', 1);
});
