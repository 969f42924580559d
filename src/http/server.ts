import type { Server } from 'node:http';
import { createApp, type AppDeps } from './app.js';

export interface RunningApi {
  server: Server;
  port: number;
  close(): Promise<void>;
}

export async function startApi(deps: AppDeps, port: number, host: string): Promise<RunningApi> {
  const app = createApp(deps);
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
