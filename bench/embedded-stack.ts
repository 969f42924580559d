/**
 * The embedded default exactly as users run it (`npm start`): src/bin/main.ts as a child process,
 * which starts the Temporal dev server on its file database (--db-filename), FerretDB on SQLite,
 * the worker and the API. Each stack gets a fresh data directory and free ports.
 */
import { UNLIMITED_ENV } from './unlimited.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { consoleBuildIsFresh } from '../src/platform/embedded/console-build.js';
import { readDevTenant } from '../src/platform/embedded/data-dir.js';
import { freePort } from '../test/support/free-port.js';

const PROJECT_ROOT = fileURLToPath(new URL('../', import.meta.url));
const MAIN = join(PROJECT_ROOT, 'src', 'bin', 'main.ts');
export const BENCH_ADMIN_KEY = 'bench-admin-key-0123456789abcdef';

export interface ChatRoute {
  code: string;
  sender: string;
  carrierSecret: string;
  integrationId: string;
  /** The integration's response token: what the client's system posts replies (MT) with. */
  responseToken: string;
  channel: 'SMS' | 'WHATSAPP';
}

export interface BenchStack {
  baseUrl: string;
  adminKey: string;
  tenant: { id: string; apiKey: string };
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  mongoUri: string;
  /** The chathook environment it was started with (on top of the bench's own environment). */
  env: Record<string, string>;
  dataDir: string;
  /** The Temporal dev server's file database (what --db-filename points to). */
  temporalDbFile: string;
  /** Wall time from spawning main.ts to "chathook is ready". */
  startMs: number;
  /** Whether main.ts found the console build stale and had to build it during this start. */
  consoleBuiltDuringStart: boolean;
  /** The MongoDB-compatible engine main.ts started, as its banner names it (e.g. "FerretDB 1.24 (SQLite)"). */
  engine: string;
  /** main.ts's pid (the API and the worker run in it). */
  pid: number;
  /** RSS (KiB) read from /proc: the chathook node process tree (API+worker), Temporal server, FerretDB. */
  memory(): Promise<{ chathookKiB: number; temporalKiB: number; ferretKiB: number }>;
  /** CPU time (ms, user + system) used so far by the same three, from /proc/<pid>/stat. */
  cpu(): Promise<{ chathookMs: number; temporalMs: number; ferretMs: number }>;
  /**
   * A connection with one sender plus an ACTIVE integration pointing to `webhookUrl`. A sandbox
   * connection made by the tenant, unless `carrierUrl` is given: then an `http` connection
   * provisioned by the root key, whose MT goes to that URL (with `carrierSecret` as its bearer).
   */
  provisionChatRoute(options: {
    code: string;
    sender: string;
    webhookUrl: string;
    channel?: 'SMS' | 'WHATSAPP';
    carrierUrl?: string;
  }): Promise<ChatRoute>;
  stop(): Promise<void>;
}

async function call(
  baseUrl: string,
  token: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<{ status: number; body: any }> {
  const response = await request(`${baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.body.text();
  return { status: response.statusCode, body: text ? (JSON.parse(text) as unknown) : undefined };
}

function expectStatus(what: string, response: { status: number; body: unknown }, status: number) {
  if (response.status !== status) throw new Error(`${what}: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body as any;
}

/** Parent pid and RSS of every process, from /proc. */
function processTable(): Map<number, { ppid: number; comm: string; rssKiB: number }> {
  const table = new Map<number, { ppid: number; comm: string; rssKiB: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const field = (name: string) => new RegExp(`^${name}:\\s*(\\S+)`, 'm').exec(status)?.[1];
      table.set(Number(entry), {
        ppid: Number(field('PPid')),
        comm: field('Name') ?? '',
        rssKiB: Number(field('VmRSS') ?? 0),
      });
    } catch {
      // The process exited while we read.
    }
  }
  return table;
}

/** User + system CPU time of one process (its threads included), in ms. */
function cpuMsOf(pid: number): number {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** USER_HZ: 100 on Linux everywhere this runs. */
const CLOCK_TICKS_PER_SECOND = 100;

function subtreeRss(
  table: ReturnType<typeof processTable>,
  root: number,
  exclude: ReadonlySet<number> = new Set(),
): number {
  if (exclude.has(root)) return 0;
  let total = table.get(root)?.rssKiB ?? 0;
  for (const [pid, info] of table) if (info.ppid === root) total += subtreeRss(table, pid, exclude);
  return total;
}

async function waitForReady(
  child: ChildProcess,
  output: () => string,
  baseUrl: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(
        `chathook exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output().slice(-4000)}`,
      );
    if (output().includes('chathook is ready')) {
      const ready = await request(`${baseUrl}/readyz`).catch(() => undefined);
      if (ready) {
        await ready.body.dump();
        if (ready.statusCode === 200) return;
      }
    }
    if (Date.now() > deadline) throw new Error(`chathook not ready after ${timeoutMs} ms:\n${output().slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function startEmbeddedStack(
  options: {
    env?: Record<string, string>;
    cpuProfDir?: string;
    readyTimeoutMs?: number;
    /** The product's own quotas and rate limits instead of UNLIMITED_ENV. */
    productLimits?: boolean;
  } = {},
): Promise<BenchStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'chathook-bench-embedded-'));
  const [port, temporalPort, temporalUiPort, mongoPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const env: Record<string, string> = {
    CHATHOOK_DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    EMBEDDED_TEMPORAL_PORT: String(temporalPort),
    EMBEDDED_TEMPORAL_UI_PORT: String(temporalUiPort),
    EMBEDDED_MONGO_PORT: String(mongoPort),
    WEBHOOK_ALLOW_PRIVATE: 'true',
    LOG_LEVEL: 'warn',
    CHATHOOK_ADMIN_KEY: BENCH_ADMIN_KEY,
    ...(options.productLimits ? {} : UNLIMITED_ENV),
    ...options.env,
  };
  // The bench's own environment must not point the stack at an outside Temporal or database.
  const inherited = { ...process.env };
  for (const name of [
    'TEMPORAL_ADDRESS',
    'MONGODB_URI',
    'MONGOMS_SYSTEM_BINARY',
    'CHATHOOK_ENCRYPTION_KEY',
    'PUBLIC_BASE_URL',
  ])
    delete inherited[name];
  const consoleWasFresh = consoleBuildIsFresh();
  const nodeArgs = [
    '--import',
    'tsx',
    ...(options.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfDir] : []),
    MAIN,
  ];
  const started = performance.now();
  const child = spawn(process.execPath, nodeArgs, {
    cwd: PROJECT_ROOT,
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(join(dataDir, 'chathook.log'), { flags: 'a' });
  let output = '';
  const collect = (chunk: Buffer) => {
    log.write(chunk);
    if (output.length < 200_000) output += chunk.toString('utf8');
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const baseUrl = `http://127.0.0.1:${port}`;
  const temporalDbFile = join(dataDir, 'temporal.sqlite');

  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const table = processTable();
      const descendants = [...table].filter(([, info]) => info.ppid === child.pid).map(([pid]) => pid);
      child.kill('SIGINT');
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        // The embedded servers run in process groups of their own: a killed main.ts leaves them behind.
        for (const pid of descendants) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // Already gone.
          }
        }
      }, 60_000);
      await exited;
      clearTimeout(timer);
    }
    log.end();
  };

  try {
    await waitForReady(child, () => output, baseUrl, options.readyTimeoutMs ?? 180_000);
  } catch (error) {
    await kill();
    throw error;
  }
  const startMs = performance.now() - started;
  const devTenant = readDevTenant(dataDir);
  if (!devTenant) throw new Error(`no dev tenant in ${dataDir}`);
  const tenant = { id: devTenant.id, apiKey: devTenant.apiKey };
  const adminKey = env.CHATHOOK_ADMIN_KEY!;

  return {
    baseUrl,
    adminKey,
    tenant,
    temporalAddress: `127.0.0.1:${temporalPort}`,
    namespace: env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: env.TEMPORAL_TASK_QUEUE ?? 'chathook',
    mongoUri: `mongodb://127.0.0.1:${mongoPort}/chathook`,
    env,
    dataDir,
    temporalDbFile,
    startMs,
    consoleBuiltDuringStart: !consoleWasFresh,
    engine: /MongoDB:\s*(.+)/.exec(output)?.[1]?.trim() ?? 'unknown',
    pid: child.pid!,
    async memory() {
      const table = processTable();
      const children = [...table].filter(([, info]) => info.ppid === child.pid);
      const temporalPids = children.filter(([, info]) => info.comm.startsWith('temporal')).map(([pid]) => pid);
      const ferretPids = children.filter(([, info]) => info.comm.startsWith('ferretdb')).map(([pid]) => pid);
      const servers = new Set([...temporalPids, ...ferretPids]);
      const sum = (pids: number[]) => pids.reduce((total, pid) => total + subtreeRss(table, pid), 0);
      return {
        chathookKiB: subtreeRss(table, child.pid!, servers),
        temporalKiB: sum(temporalPids),
        ferretKiB: sum(ferretPids),
      };
    },
    async cpu() {
      const table = processTable();
      const children = [...table].filter(([, info]) => info.ppid === child.pid);
      const pidsOf = (prefix: string) =>
        children.filter(([, info]) => info.comm.startsWith(prefix)).map(([pid]) => pid);
      const servers = [...pidsOf('temporal'), ...pidsOf('ferretdb')];
      const chathookPids = [
        child.pid!,
        ...[...table].filter(([pid, info]) => info.ppid === child.pid && !servers.includes(pid)).map(([pid]) => pid),
      ];
      const sum = (pids: number[]) => pids.reduce((total, pid) => total + cpuMsOf(pid), 0);
      return { chathookMs: sum(chathookPids), temporalMs: sum(pidsOf('temporal')), ferretMs: sum(pidsOf('ferretdb')) };
    },
    async provisionChatRoute({ code, sender, webhookUrl, channel = 'SMS', carrierUrl }) {
      const connection = carrierUrl
        ? expectStatus(
            `connection ${code}`,
            await call(baseUrl, adminKey, 'POST', `/v1/tenants/${tenant.id}/connections`, {
              code,
              channel,
              senders: [sender],
              carrier: { type: 'http', url: carrierUrl },
            }),
            201,
          )
        : expectStatus(
            `connection ${code}`,
            await call(baseUrl, tenant.apiKey, 'POST', '/v1/connections', {
              code,
              channel,
              senders: [sender],
              carrier: { type: 'sandbox' },
            }),
            201,
          );
      const integration = expectStatus(
        `integration for ${code}`,
        await call(baseUrl, tenant.apiKey, 'POST', '/v1/integrations', {
          alias: `Bench ${code}`,
          method: 'POST',
          url: webhookUrl,
          connections: [{ code }],
        }),
        201,
      );
      const activation = expectStatus(
        `start integration for ${code}`,
        await call(baseUrl, tenant.apiKey, 'POST', `/v1/integrations/${integration.id}/start`),
        200,
      );
      if (activation.partial)
        throw new Error(`integration for ${code} only partly activated: ${JSON.stringify(activation)}`);
      return {
        code,
        sender,
        carrierSecret: connection.carrierSecret,
        integrationId: integration.id,
        responseToken: integration.responseToken,
        channel,
      };
    },
    async stop() {
      await kill();
      if (!process.env.BENCH_KEEP_DATA) rmSync(dataDir, { recursive: true, force: true });
      else if (existsSync(dataDir)) process.stderr.write(`bench: data kept in ${dataDir}\n`);
    },
  };
}
