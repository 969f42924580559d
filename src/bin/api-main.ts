/**
 * Production API process: external Temporal and MongoDB, every secret from the environment.
 * SIGINT or SIGTERM stops it gracefully: it stops accepting connections, answers the requests in
 * flight (each bounded: a chat's update waits at most CHAT_UPDATE_WAIT_MS), then closes its clients.
 */
import { ConfigError } from '../platform/config.js';
import { startApi } from '../http/server.js';
import { appDepsOf, openProductionRuntime } from './runtime.js';

try {
  const { config, logger, shutdown, runtime } = await openProductionRuntime([
    'adminKey',
    'encryptionKey',
    'temporal',
    'mongodb',
  ]);
  const api = await startApi(appDepsOf(runtime), config.port, config.host);
  shutdown.add('api', () => api.close());
  logger.info({ port: api.port }, 'chathook API listening');
} catch (error) {
  process.stderr.write(
    `${error instanceof ConfigError ? error.message : `chathook API failed to start: ${String((error as Error).stack ?? error)}`}\n`,
  );
  process.exit(1);
}
