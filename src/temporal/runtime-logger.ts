import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import type { Logger } from '../platform/logger.js';

let installed = false;

/**
 * Routes the Temporal SDK's own logs (worker state, activity failures) into our JSON logger.
 * From WARN up only: at INFO the SDK prints the whole webpack report of the workflow bundle.
 * The runtime can be installed once per process, before the first worker or native connection.
 */
export function installTemporalRuntimeLogger(
  logger: Logger,
  options: { metricsAddress?: string | undefined } = {},
): void {
  if (installed) return;
  installed = true;
  const sdk = logger.child({ component: 'temporal-sdk' });
  // A process that made a test environment first already has its runtime; keep that one.
  if (Runtime._instance) return;
  Runtime.install({
    // The SDK's own metrics, among them temporal_workflow_task_execution_failed: a workflow task
    // failing in a loop shows there (and as a WARN log line above), never silently.
    ...(options.metricsAddress
      ? {
          telemetryOptions: {
            metrics: { prometheus: { bindAddress: options.metricsAddress, countersTotalSuffix: true } },
          },
        }
      : {}),
    logger: new DefaultLogger('WARN', (entry: LogEntry) => {
      const level = entry.level === 'WARN' ? 'warn' : entry.level === 'ERROR' ? 'error' : 'debug';
      sdk[level]({ ...entry.meta }, entry.message);
    }),
  });
}
