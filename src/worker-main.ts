/** Production worker process: polls the chathook task queue of an external Temporal. */
import { ConfigError, parseConfig, requireProductionSettings } from './config.js';
import { createLogger } from './logger.js';
import { openServices } from './runtime.js';
import { createShutdown } from './shutdown.js';
import { startWorker } from './temporal/worker.js';

try {
  const config = parseConfig();
  requireProductionSettings(config, ['encryptionKey', 'temporal', 'mongodb']);
  const logger = createLogger(config.logLevel);
  const shutdown = createShutdown(logger);
  const services = await openServices(config, logger, {
    mongodbUri: config.mongodbUri!,
    temporalAddress: config.temporal.address!,
    encryptionKey: config.encryptionKey!,
  });
  shutdown.add('services', () => services.close());
  const worker = await startWorker(services, config.temporal.address!);
  shutdown.add('worker', () => worker.shutdown());
  logger.info({ taskQueue: config.temporal.taskQueue }, 'chathook worker running');
  await worker.done;
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? error.message : `chathook worker failed: ${String((error as Error).stack ?? error)}`}\n`);
  process.exit(1);
}
