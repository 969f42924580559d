/**
 * The real embedded stack as separate processes: Temporal dev server on a database file,
 * FerretDB (or mongod) on a data directory, the API and two workers from their production
 * entry points. Every part can be killed and started again on the same files and ports.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { ManagedChild } from '../../src/platform/embedded/child-process.js';
import { startEmbeddedMongo, type EmbeddedMongo } from '../../src/platform/embedded/mongo-server.js';
import { startTemporalDevServer } from '../../src/platform/embedded/temporal-dev-server.js';
import { ferretdbPath, temporalCliPath } from '../../src/platform/embedded/tool-paths.js';
import { createLogger } from '../../src/platform/logger.js';
import { freePort } from '../../test/support/free-port.js';
import { killOnExit, NodeProcess, readyWhenAnswering, readyWhenPrinted, rssOf } from './node-process.js';

export interface ChaosStackOptions {
  /** Data and logs of this run (Temporal database file, FerretDB files, one log per process). */
  dir: string;
  workers?: number;
  /** Extra chathook settings (e.g. DELIVERY_RETRY_INITIAL) for the API and worker processes. */
  env?: Record<string, string>;
}

export interface PeakRss {
  api: number;
  worker: number;
  temporal: number;
  database: number;
}

export class ChaosStack {
  readonly adminKey = `chaos-admin-${randomBytes(12).toString('hex')}`;
  private readonly encryptionKey = randomBytes(32).toString('base64');
  private readonly silent = createLogger('silent');
  private temporal: ManagedChild | undefined;
  private mongo: EmbeddedMongo | undefined;
  private mongoPid: number | undefined;
  private forgetMongoPid: () => void = () => {};
  readonly api: NodeProcess;
  readonly workers: NodeProcess[];
  private rssTimer: NodeJS.Timeout | undefined;
  private readonly peakServers = { temporal: 0, database: 0 };

  private constructor(
    readonly options: ChaosStackOptions,
    private readonly ports: { temporal: number; temporalUi: number; mongo: number; api: number },
  ) {
    mkdirSync(join(options.dir, 'logs'), { recursive: true });
    const env = this.processEnv();
    this.api = new NodeProcess({
      name: 'api',
      entry: 'src/bin/api-main.ts',
      env: { ...env, PORT: String(ports.api), HOST: '127.0.0.1' },
      logFile: this.logFile('api'),
      ready: readyWhenAnswering(() => `${this.apiUrl}/readyz`),
    });
    this.workers = Array.from(
      { length: options.workers ?? 2 },
      (_, index) =>
        new NodeProcess({
          name: `worker-${index + 1}`,
          entry: 'src/bin/worker-main.ts',
          env,
          logFile: this.logFile(`worker-${index + 1}`),
          ready: readyWhenPrinted('chathook worker running'),
        }),
    );
  }

  static async start(options: ChaosStackOptions): Promise<ChaosStack> {
    const ports = {
      temporal: await freePort(),
      temporalUi: await freePort(),
      mongo: await freePort(),
      api: await freePort(),
    };
    const stack = new ChaosStack(options, ports);
    try {
      await stack.startAll();
    } catch (error) {
      await stack.destroy();
      throw error;
    }
    stack.rssTimer = setInterval(() => stack.sampleRss(), 1_000);
    stack.rssTimer.unref();
    return stack;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.ports.api}`;
  }

  get temporalAddress(): string {
    return `127.0.0.1:${this.ports.temporal}`;
  }

  private logFile(name: string): string {
    return join(this.options.dir, 'logs', `${name}.log`);
  }

  private processEnv(): Record<string, string> {
    return {
      CHATHOOK_ADMIN_KEY: this.adminKey,
      CHATHOOK_ENCRYPTION_KEY: this.encryptionKey,
      TEMPORAL_ADDRESS: `127.0.0.1:${this.ports.temporal}`,
      MONGODB_URI: `mongodb://127.0.0.1:${this.ports.mongo}/chathook`,
      WEBHOOK_ALLOW_PRIVATE: 'true',
      LOG_LEVEL: 'info',
      ...this.options.env,
    };
  }

  async startTemporal(): Promise<void> {
    this.temporal = await startTemporalDevServer(
      {
        cliPath: temporalCliPath(),
        dbFile: join(this.options.dir, 'temporal.sqlite'),
        port: this.ports.temporal,
        uiPort: this.ports.temporalUi,
        namespace: 'default',
        logFile: this.logFile('temporal'),
      },
      this.silent,
    );
    const forget = killOnExit(this.temporal.process.pid);
    this.temporal.process.once('exit', forget);
  }

  async killTemporal(signal: NodeJS.Signals): Promise<void> {
    const temporal = this.temporal;
    this.temporal = undefined;
    if (!temporal) return;
    if (signal === 'SIGTERM') return temporal.stop(30_000);
    const exited = new Promise((resolve) => temporal.process.once('exit', resolve));
    temporal.process.kill(signal);
    await exited;
  }

  async startDatabase(): Promise<void> {
    this.mongo = await startEmbeddedMongo(
      {
        dataDir: this.options.dir,
        port: this.ports.mongo,
        mongodBinary: process.env.MONGOMS_SYSTEM_BINARY,
        ferretdbPath: () => ferretdbPath({ ferretdbPath: process.env.FERRETDB_PATH }),
        logFile: this.logFile('database'),
      },
      this.silent,
    );
    this.mongoPid = findListeningPid(this.ports.mongo);
    this.forgetMongoPid = killOnExit(this.mongoPid);
  }

  async stopDatabase(): Promise<void> {
    const mongo = this.mongo;
    this.mongo = undefined;
    this.mongoPid = undefined;
    await mongo?.stop();
    this.forgetMongoPid();
  }

  /** Servers first, then the API and the workers (in parallel: they start independently). */
  async startAll(): Promise<void> {
    await Promise.all([this.startTemporal(), this.startDatabase()]);
    await Promise.all([this.api.start(), ...this.workers.map((worker) => worker.start())]);
  }

  /** `signal` to every process at once, as a host shutdown does; then waits for all to exit. */
  async stopAll(signal: NodeJS.Signals): Promise<void> {
    await Promise.all([
      this.api.stop(signal),
      ...this.workers.map((worker) => worker.stop(signal)),
      this.killTemporal(signal),
      signal === 'SIGKILL' ? this.killDatabaseHard() : this.stopDatabase(),
    ]);
  }

  private async killDatabaseHard(): Promise<void> {
    if (this.mongoPid !== undefined) process.kill(this.mongoPid, 'SIGKILL');
    await this.stopDatabase();
  }

  sampleRss(): void {
    this.api.sampleRss();
    for (const worker of this.workers) worker.sampleRss();
    this.peakServers.temporal = Math.max(this.peakServers.temporal, rssOf(this.temporal?.process.pid));
    this.peakServers.database = Math.max(this.peakServers.database, rssOf(this.mongoPid));
  }

  peakRss(): PeakRss {
    return {
      api: this.api.peakRssBytes,
      worker: Math.max(...this.workers.map((worker) => worker.peakRssBytes)),
      ...this.peakServers,
    };
  }

  unexpectedExits(): string[] {
    return [this.api, ...this.workers].flatMap((process) =>
      process.unexpectedExits.map((exit) => `${process.options.name}: ${exit}`),
    );
  }

  /** Kills everything without grace; safe to call on a half-started stack and more than once. */
  async destroy(): Promise<void> {
    if (this.rssTimer) clearInterval(this.rssTimer);
    await Promise.all([this.api.dispose(), ...this.workers.map((worker) => worker.dispose())]);
    await Promise.all([this.killTemporal('SIGKILL'), this.killDatabaseHard().catch(() => this.stopDatabase())]);
  }
}

/** The pid of the process listening on `port` (Linux /proc/net/tcp → socket inode → /proc/<pid>/fd). */
function findListeningPid(port: number): number | undefined {
  // startEmbeddedMongo hides its child: find it by its listening socket to sample and kill it.
  try {
    const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
    const inodes = new Set<string>();
    for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
      for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
        const fields = line.trim().split(/\s+/);
        if (fields[1]?.endsWith(`:${hexPort}`) && fields[3] === '0A' && fields[9]) inodes.add(fields[9]);
      }
    }
    for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
      let fds: string[];
      try {
        fds = readdirSync(`/proc/${pid}/fd`);
      } catch {
        continue;
      }
      for (const fd of fds) {
        try {
          const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
          const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
          if (inode && inodes.has(inode)) return Number(pid);
        } catch {
          // The descriptor closed while we looked.
        }
      }
    }
  } catch {
    // Not Linux: no RSS figure and no hard kill for the database (it is stopped with SIGTERM).
  }
  return undefined;
}
