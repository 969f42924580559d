/** Production API process: external Temporal and MongoDB, every secret from the environment. */
import { ConfigError, parseConfig, requireProductionSettings } from './config.js';
import { startApi } from './http-server.js';
import { createLogger } from './logger.js';
import { openServices } from './runtime.js';
import { createShutdown } from './shutdown.js';

try {
  const config = parseConfig();
  requireProductionSettings(config, ['adminKey', 'encryptionKey', 'temporal', 'mongodb']);
  const logger = createLogger(config.logLevel);
  const shutdown = createShutdown(logger);
  const services = await openServices(config, logger, {
    mongodbUri: config.mongodbUri!,
    temporalAddress: config.temporal.address!,
    encryptionKey: config.encryptionKey!,
  });
  shutdown.add('services', () => services.close());
  const api = await startApi(services, config.port, config.host);
  shutdown.add('api', () => api.close());
  logger.info({ port: api.port }, 'chathook API listening');
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? error.message : `chathook API failed to start: ${String((error as Error).stack ?? error)}`}\n`);
  process.exit(1);
}
