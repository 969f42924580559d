import { CHAT_SEARCH_ATTRIBUTE_NAMES } from '../../../workflows/contract.js';
import type { Logger } from '../logger.js';
import { assertPortFree, startChild, waitForPort, type ManagedChild } from './child-process.js';

export { CHAT_SEARCH_ATTRIBUTE_NAMES };

export const searchAttributeArgs = () => CHAT_SEARCH_ATTRIBUTE_NAMES.flatMap((name) => ['--search-attribute', `${name}=Keyword`]);

export interface TemporalDevServerOptions {
  cliPath: string;
  dbFile: string;
  port: number;
  uiPort: number;
  namespace: string;
  logFile: string;
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
    ...searchAttributeArgs(),
  ];
  const child = startChild('temporal', options.cliPath, args, options.logFile, logger);
  await waitForPort('127.0.0.1', options.port, 60_000, child);
  return child;
}
