import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { connect, createServer } from 'node:net';
import type { Logger } from '../logger.js';

export interface ManagedChild {
  name: string;
  process: ChildProcess;
  /** SIGTERM, then SIGKILL after the grace period; resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts a server binary with its output appended to a log file, so our console stays readable. */
export function startChild(
  name: string,
  command: string,
  args: string[],
  logFile: string,
  logger: Logger,
): ManagedChild {
  const log = createWriteStream(logFile, { flags: 'a', mode: 0o600 });
  // A process group of its own: Ctrl-C in a terminal signals the whole foreground group, and a
  // server stopped at once would leave the draining worker unable to report its in-flight
  // activities (retried only after their timeouts). chathook stops it itself, after the worker.
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', (code, signal) => logger.info({ child: name, code, signal }, `${name} exited`));
  child.once('error', (error) => logger.error({ child: name, err: error }, `${name} failed to start`));
  return {
    name,
    process: child,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      log.end();
    },
  };
}

export async function waitForPort(host: string, port: number, timeoutMs: number, child?: ManagedChild): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && (child.process.exitCode !== null || child.process.signalCode !== null)) {
      throw new Error(`${child.name} exited before it listened on ${host}:${port}`);
    }
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ host, port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Fails fast when another process already listens where an embedded server is about to:
 * otherwise the wait for the port would succeed against that other process.
 */
export async function assertPortFree(host: string, port: number, setting: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', () => reject(new Error(`port ${host}:${port} is already in use: free it or set ${setting}`)));
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}
