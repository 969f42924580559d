import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import type { Logger } from '../platform/logger.js';

let installed = false;

/**
 * Routes the Temporal SDK's own logs (worker state, activity failures) into our JSON logger.
 * From WARN up only: at INFO the SDK prints the whole webpack report of the workflow bundle.
 * The runtime can be installed once per process, before the first worker or native connection.
 */
export function installTemporalRuntimeLogger(logger: Logger): void {
  if (installed) return;
  installed = true;
  const sdk = logger.child({ component: 'temporal-sdk' });
  // A process that made a test environment first already has its runtime; keep that one.
  if (Runtime._instance) return;
  Runtime.install({
    logger: new DefaultLogger('WARN', (entry: LogEntry) => {
      const level = entry.level === 'WARN' ? 'warn' : entry.level === 'ERROR' ? 'error' : 'debug';
      sdk[level]({ ...entry.meta }, entry.message);
    }),
  });
}
