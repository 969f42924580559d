/**
 * The embedded default (`npm start`): Temporal dev server, MongoDB-compatible server, worker and
 * API in one process tree, data under CHATHOOK_DATA_DIR. Production runs api-main / worker-main;
 * `npm run start:cluster` (cluster-main) runs several of each on one machine.
 */
import { publicBaseUrlOf } from '../platform/config.js';
import { ensureConsoleBuilt } from '../platform/embedded/console-build.js';
import { startApi } from '../http/server.js';
import { createLogger } from '../platform/logger.js';
import { appDepsOf, openRuntime } from './runtime.js';
import { createShutdown } from '../platform/shutdown.js';
import { startWorker } from '../temporal/worker.js';
import { ensureDevTenant, parseConfigOrExit, readyBanner, startEmbeddedServers } from './embedded-servers.js';

const parsedConfig = parseConfigOrExit();
const logger = createLogger(parsedConfig.logLevel);
const shutdown = createShutdown(logger);

async function main() {
  const servers = await startEmbeddedServers(parsedConfig, logger, shutdown);
  const { config, temporalAddress, mongodbUri, secrets } = servers;

  const runtime = await openRuntime(config, logger, {
    mongodbUri,
    temporalAddress,
    encryptionKey: secrets.encryptionKey,
  });
  shutdown.add('runtime', () => runtime.close());
  const worker = await startWorker(runtime, temporalAddress);
  // Steps run in reverse: the API stops taking requests, then the worker lets its in-flight
  // activities finish (its grace time), then the clients and the embedded servers close.
  shutdown.add('worker', async () => {
    logger.info({ shutdownGraceMs: worker.shutdownGraceMs }, 'worker stopping: in-flight activities finish first');
    await worker.shutdown();
  });
  worker.done.catch((error: unknown) => {
    logger.fatal({ err: error }, 'worker crashed');
    void shutdown.shutdown('worker crashed', 1);
  });
  // A console that fails to build must not keep the API down: /console then says it is not built.
  await ensureConsoleBuilt((line) => logger.info(line)).catch((error: unknown) =>
    logger.error({ err: error }, 'the console could not be built'),
  );
  const api = await startApi(appDepsOf(runtime), config.port, config.host);
  shutdown.add('api', () => api.close());

  const setup = await ensureDevTenant(runtime, servers.dataDir);
  process.stdout.write(readyBanner(servers, setup, publicBaseUrlOf(config, api.port), 'embedded default'));
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, 'chathook failed to start');
  void shutdown.shutdown('start failed', 1);
});
