/**
 * One chathook entry point (API or worker) as a real child process, so it can be SIGKILLed or
 * SIGTERMed like a container, and restarted like a process supervisor would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { PROJECT_ROOT } from '../../src/platform/embedded/tool-paths.js';

export interface NodeProcessOptions {
  name: string;
  /** Entry point relative to the project root, e.g. src/bin/worker-main.ts. */
  entry: string;
  env: Record<string, string>;
  logFile: string;
  /** Resolves once the process serves; rejects if it cannot. */
  ready: (process: NodeProcess) => Promise<void>;
}

/** Resident memory of a process in bytes (Linux /proc; 0 elsewhere or once it exited). */
export function rssOf(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Children still alive when this process exits are killed: a failed run must not leave servers behind. */
const living = new Set<ChildProcess>();
const livingPids = new Set<number>();
process.once('exit', () => {
  for (const child of living) child.kill('SIGKILL');
  for (const pid of livingPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
});

/**
 * Registers a server process started elsewhere (Temporal, FerretDB) for that last-resort kill; returns the unregister.
 */
export function killOnExit(pid: number | undefined): () => void {
  if (pid === undefined) return () => {};
  livingPids.add(pid);
  return () => livingPids.delete(pid);
}

export class NodeProcess {
  private child: ChildProcess | undefined;
  private log: WriteStream | undefined;
  private output = '';
  private exited: Promise<void> = Promise.resolve();
  private expectingExit = false;
  private held = false;
  /** Exits nobody asked for (a crash, or a process that gave up on a server): each restarted after 1 s. */
  readonly unexpectedExits: string[] = [];
  peakRssBytes = 0;

  constructor(readonly options: NodeProcessOptions) {}

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Output seen since the last start (kept until the process reports ready). */
  get recentOutput(): string {
    return this.output;
  }

  async start(): Promise<void> {
    this.held = false;
    this.spawnChild();
    await this.options.ready(this);
    this.output = '';
  }

  private spawnChild(): void {
    this.log ??= createWriteStream(this.options.logFile, { flags: 'a' });
    this.output = '';
    const child = spawn(process.execPath, ['--import', 'tsx', this.options.entry], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...this.options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    living.add(child);
    this.child = child;
    this.expectingExit = false;
    const collect = (chunk: Buffer) => {
      this.log?.write(chunk);
      if (this.output.length < 200_000) this.output += chunk.toString();
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        living.delete(child);
        this.log?.write(`\n[chaos] ${this.options.name} exited (code ${code}, signal ${signal})\n`);
        if (!this.expectingExit && !this.held && this.child === child) {
          this.unexpectedExits.push(`${new Date().toISOString()} code ${code} signal ${signal}`);
          setTimeout(() => {
            if (!this.held && this.child === child) this.spawnChild();
          }, 1_000);
        }
        resolve();
      }),
    );
  }

  /** Sends `signal` and waits for the exit; SIGTERM escalates to SIGKILL after `graceMs`. */
  async stop(signal: NodeJS.Signals, graceMs = 30_000): Promise<void> {
    this.held = true;
    const child = this.child;
    if (!child || !this.running) return;
    this.expectingExit = true;
    child.kill(signal);
    const escalate = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(escalate);
  }

  /** Resident memory now, also folded into the peak. */
  sampleRss(): number {
    const bytes = rssOf(this.pid);
    this.peakRssBytes = Math.max(this.peakRssBytes, bytes);
    return bytes;
  }

  async dispose(): Promise<void> {
    await this.stop('SIGKILL');
    await new Promise<void>((resolve) => (this.log ? this.log.end(resolve) : resolve()));
    this.log = undefined;
  }
}

/** Waits until the process prints `line` (e.g. the worker's "chathook worker running"). */
export const readyWhenPrinted =
  (line: string, timeoutMs = 90_000) =>
  async (target: NodeProcess): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!target.recentOutput.includes(line)) {
      if (!target.running)
        throw new Error(`${target.options.name} exited before it was ready:\n${target.recentOutput.slice(-4_000)}`);
      if (Date.now() > deadline)
        throw new Error(
          `${target.options.name} not ready after ${timeoutMs} ms:\n${target.recentOutput.slice(-4_000)}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

/** Waits until `url` answers 200 (the API's /readyz: database and Temporal reachable). */
export const readyWhenAnswering =
  (url: () => string, timeoutMs = 90_000) =>
  async (target: NodeProcess): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!target.running)
        throw new Error(`${target.options.name} exited before it was ready:\n${target.recentOutput.slice(-4_000)}`);
      const status = await fetch(url(), { signal: AbortSignal.timeout(2_000) }).then(
        (response) => response.status,
        () => 0,
      );
      if (status === 200) return;
      if (Date.now() > deadline)
        throw new Error(
          `${target.options.name} not ready after ${timeoutMs} ms:\n${target.recentOutput.slice(-4_000)}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
