/**
 * Production worker process: polls the chathook task queue of an external Temporal. SIGINT or
 * SIGTERM stops it gracefully: no new tasks, in-flight activities finish (within the worker's
 * grace time), then the clients close and the process exits 0. What recovers the work of a
 * worker that is SIGKILLed instead is in src/temporal/worker.ts (shutdownGraceMsOf).
 */
import { ConfigError } from '../platform/config.js';
import { openProductionRuntime } from './runtime.js';
import { startWorker } from '../temporal/worker.js';

try {
  const { config, logger, shutdown, runtime } = await openProductionRuntime(['encryptionKey', 'temporal', 'mongodb']);
  const worker = await startWorker(runtime, config.temporal.address!);
  shutdown.add('worker', async () => {
    logger.info({ shutdownGraceMs: worker.shutdownGraceMs }, 'worker stopping: in-flight activities finish first');
    await worker.shutdown();
    logger.info('worker stopped');
  });
  logger.info(
    { taskQueue: config.temporal.taskQueue, shutdownGraceMs: worker.shutdownGraceMs },
    'chathook worker running',
  );
  await worker.done;
} catch (error) {
  process.stderr.write(
    `${error instanceof ConfigError ? error.message : `chathook worker failed: ${String((error as Error).stack ?? error)}`}\n`,
  );
  process.exit(1);
}
