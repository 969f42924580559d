/** Production worker process: polls the chathook task queue of an external Temporal. */
import { ConfigError } from '../platform/config.js';
import { openProductionServices } from './runtime.js';
import { startWorker } from '../temporal/worker.js';

try {
  const { config, logger, shutdown, services } = await openProductionServices(['encryptionKey', 'temporal', 'mongodb']);
  const worker = await startWorker(services, config.temporal.address!);
  shutdown.add('worker', () => worker.shutdown());
  logger.info({ taskQueue: config.temporal.taskQueue }, 'chathook worker running');
  await worker.done;
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? error.message : `chathook worker failed: ${String((error as Error).stack ?? error)}`}\n`);
  process.exit(1);
}
