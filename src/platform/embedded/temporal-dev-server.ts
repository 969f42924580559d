import type { Logger } from '../logger.js';
import { assertPortFree, startChild, waitForPort, type ManagedChild } from './child-process.js';

export interface TemporalDevServerOptions {
  cliPath: string;
  dbFile: string;
  port: number;
  uiPort: number;
  namespace: string;
  logFile: string;
  /** Keyword search attributes to register at start (the chat's, from src/temporal/search-attributes.ts). */
  keywordSearchAttributes?: readonly string[];
}

/**
 * Dynamic config of the embedded Temporal (one machine, one or a few workers), each measured with
 * `npm run bench` (README, Performance):
 * - eager activities: an activity a workflow task schedules comes back in that task's completion
 *   when the worker has a free slot, instead of a round trip through matching (off by default
 *   in the server);
 * - one task-queue partition instead of four: with few pollers, a task in a partition nobody
 *   polls waits to be forwarded to the root partition.
 */
export const DEV_SERVER_DYNAMIC_CONFIG: Readonly<Record<string, string>> = {
  'system.enableActivityEagerExecution': 'true',
  'matching.numTaskqueueReadPartitions': '1',
  'matching.numTaskqueueWritePartitions': '1',
};

/**
 * The file database in write-ahead-log mode: a commit is one append and one fsync instead of a
 * rollback journal written, synced and deleted (SQLite's default, and the CLI's). `synchronous`
 * stays FULL, so a committed write survives a power cut as before.
 */
export const DEV_SERVER_SQLITE_PRAGMAS = ['journal_mode=wal', 'synchronous=full'] as const;

export function devServerDynamicConfigArgs(
  config: Readonly<Record<string, string>> = DEV_SERVER_DYNAMIC_CONFIG,
): string[] {
  return Object.entries(config).flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${value}`]);
}

export async function startTemporalDevServer(options: TemporalDevServerOptions, logger: Logger): Promise<ManagedChild> {
  await assertPortFree('127.0.0.1', options.port, 'EMBEDDED_TEMPORAL_PORT');
  await assertPortFree('127.0.0.1', options.uiPort, 'EMBEDDED_TEMPORAL_UI_PORT');
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--ui-port',
    String(options.uiPort),
    '--db-filename',
    options.dbFile,
    ...DEV_SERVER_SQLITE_PRAGMAS.flatMap((pragma) => ['--sqlite-pragma', pragma]),
    '--namespace',
    options.namespace,
    '--log-level',
    'warn',
    ...devServerDynamicConfigArgs(),
    ...(options.keywordSearchAttributes ?? []).flatMap((name) => ['--search-attribute', `${name}=Keyword`]),
  ];
  const child = startChild('temporal', options.cliPath, args, options.logFile, logger);
  await waitForPort('127.0.0.1', options.port, 60_000, child);
  return child;
}
