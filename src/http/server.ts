import type { Server } from 'node:http';
import { createApp } from './app.js';
import type { Services } from '../bin/runtime.js';

export interface RunningApi {
  server: Server;
  port: number;
  close(): Promise<void>;
}

export async function startApi(services: Services, port: number, host: string, options: { lifecycleWaitMs?: number } = {}): Promise<RunningApi> {
  const app = createApp({
    config: services.config,
    models: services.models,
    secretBox: services.secretBox,
    logger: services.logger,
    readiness: { db: services.db, temporal: services.temporal.connection, namespace: services.config.temporal.namespace },
    temporal: services.temporal.client,
    metrics: services.metrics,
    lifecycleWaitMs: options.lifecycleWaitMs,
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(port, host, (error?: Error) => (error ? reject(error) : resolve(listening)));
  });
  const address = server.address();
  return {
    server,
    port: typeof address === 'object' && address ? address.port : port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
