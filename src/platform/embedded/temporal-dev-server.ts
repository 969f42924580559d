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

export async function startTemporalDevServer(options: TemporalDevServerOptions, logger: Logger): Promise<ManagedChild> {
  await assertPortFree('127.0.0.1', options.port, 'EMBEDDED_TEMPORAL_PORT');
  await assertPortFree('127.0.0.1', options.uiPort, 'EMBEDDED_TEMPORAL_UI_PORT');
  const args = [
    'server',
    'start-dev',
    '--ip', '127.0.0.1',
    '--port', String(options.port),
    '--ui-port', String(options.uiPort),
    '--db-filename', options.dbFile,
    '--namespace', options.namespace,
    '--log-level', 'warn',
    ...(options.keywordSearchAttributes ?? []).flatMap((name) => ['--search-attribute', `${name}=Keyword`]),
  ];
  const child = startChild('temporal', options.cliPath, args, options.logFile, logger);
  await waitForPort('127.0.0.1', options.port, 60_000, child);
  return child;
}
