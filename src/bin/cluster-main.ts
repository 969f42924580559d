/**
 * Production scale on one machine (`npm run start:cluster`): the embedded Temporal (file
 * database) and MongoDB-compatible server as `npm start` runs them, then CLUSTER_API_PROCESSES
 * API processes (src/bin/api-main.ts) sharing one port and CLUSTER_WORKER_PROCESSES worker
 * processes (src/bin/worker-main.ts) on the one task queue. Each child gets TEMPORAL_ADDRESS,
 * MONGODB_URI and the data directory's root and encryption keys in its environment.
 *
 * The API processes are node:cluster workers: the primary accepts on the port and hands the
 * connections round-robin. A child that dies is started again after CLUSTER_RESTART_DELAY; its
 * chats go on meanwhile on the other workers (Temporal hands their tasks to whoever polls). The
 * children's pids are in <dataDir>/cluster.json; a worker's Temporal identity is the SDK's
 * `<pid>@<host>`, so a chat's history names the process that ran each task.
 */
import cluster, { type Worker as ClusterChild } from 'node:cluster';
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import proto from '@temporalio/proto';
import { publicBaseUrlOf } from '../platform/config.js';
import { ensureConsoleBuilt } from '../platform/embedded/console-build.js';
import { createLogger } from '../platform/logger.js';
import { createShutdown } from '../platform/shutdown.js';
import { openRuntime, type Runtime } from './runtime.js';
import { ensureDevTenant, parseConfigOrExit, readyBanner, startEmbeddedServers } from './embedded-servers.js';

type Role = 'api' | 'worker';
const ENTRY_POINTS: Record<Role, string> = { api: './api-main.js', worker: './worker-main.js' };

// A child runs this file again with its role as the argument.
if (cluster.isWorker) await runChild(process.argv[2] === 'worker' ? 'worker' : 'api');
else runPrimary();

async function runChild(role: Role) {
  // The terminal's Ctrl-C reaches every process of its foreground group. A child leaves its stop
  // to the primary, which sends it one SIGTERM in order (API first, then workers): the entry
  // point's own handlers would take that second signal as "exit now" and cut in-flight work short.
  process.on('SIGINT', () => undefined);
  process.on('newListener', (event, listener: (...args: unknown[]) => void) => {
    if (event === 'SIGINT') setImmediate(() => process.removeListener('SIGINT', listener));
  });
  await import(ENTRY_POINTS[role]);
}

interface ChildRecord {
  role: Role;
  index: number;
  child: ClusterChild;
  startedAt: string;
}

function runPrimary() {
  const parsedConfig = parseConfigOrExit();
  const logger = createLogger(parsedConfig.logLevel);
  const shutdown = createShutdown(logger);
  const { apiProcesses, workerProcesses, restartDelayMs } = parsedConfig.cluster;
  const children = new Map<string, ChildRecord>();
  const restarts = new Set<NodeJS.Timeout>();
  let stopping = false;
  let writeState: () => void = () => undefined;

  const keyOf = (role: Role, index: number) => `${role}-${index}`;
  const ofRole = (role: Role) => [...children.values()].filter((record) => record.role === role);

  async function main() {
    const servers = await startEmbeddedServers(parsedConfig, logger, shutdown);
    const { config, temporalAddress, mongodbUri, secrets, dataDir } = servers;
    // The primary's own clients: the indexes and the dev tenant before any child starts, and the
    // check that every worker polls.
    const runtime = await openRuntime(config, logger, {
      mongodbUri,
      temporalAddress,
      encryptionKey: secrets.encryptionKey,
    });
    shutdown.add('runtime', () => runtime.close());
    const setup = await ensureDevTenant(runtime, dataDir);
    await ensureConsoleBuilt((line) => logger.info(line)).catch((error: unknown) =>
      logger.error({ err: error }, 'the console could not be built'),
    );

    const childEnv = {
      TEMPORAL_ADDRESS: temporalAddress,
      MONGODB_URI: mongodbUri,
      CHATHOOK_ADMIN_KEY: secrets.adminKey,
      CHATHOOK_ENCRYPTION_KEY: secrets.encryptionKey.toString('base64'),
    };
    // Each worker's SDK metrics on a port of its own: WORKER_METRICS_ADDRESS's port for the first, +1 for the next...
    const workerMetricsEnvOf = (role: Role, index: number): Record<string, string> => {
      const address = config.temporal.workerMetricsAddress;
      if (role !== 'worker' || !address) return {};
      const [host, port] = [
        address.slice(0, address.lastIndexOf(':')),
        Number(address.slice(address.lastIndexOf(':') + 1)),
      ];
      return { WORKER_METRICS_ADDRESS: `${host}:${port + index - 1}` };
    };
    const stateFile = join(dataDir, 'cluster.json');
    writeState = () => {
      const processes = [...children.values()].map(({ role, index, child, startedAt }) => ({
        role,
        name: keyOf(role, index),
        pid: child.process.pid,
        startedAt,
      }));
      writeFileSync(
        stateFile,
        `${JSON.stringify({ primary: process.pid, port: config.port, restartDelayMs, processes }, null, 2)}\n`,
      );
    };

    cluster.schedulingPolicy = cluster.SCHED_RR;
    const fork = (role: Role, index: number): ChildRecord => {
      cluster.setupPrimary({ exec: fileURLToPath(import.meta.url), execArgv: ['--import', 'tsx'], args: [role] });
      const child = cluster.fork({ ...childEnv, ...workerMetricsEnvOf(role, index) });
      const record = { role, index, child, startedAt: new Date().toISOString() };
      children.set(keyOf(role, index), record);
      writeState();
      logger.info({ process: keyOf(role, index), pid: child.process.pid }, 'cluster process started');
      child.once('exit', (code, signal) => {
        if (stopping) return;
        logger.warn(
          { process: keyOf(role, index), pid: child.process.pid, code, signal, restartDelayMs },
          'cluster process exited: starting it again after the restart delay',
        );
        const timer = setTimeout(() => {
          restarts.delete(timer);
          if (!stopping) fork(role, index);
        }, restartDelayMs);
        restarts.add(timer);
      });
      return record;
    };

    // Steps run in reverse: the API processes stop taking requests, then the workers let their
    // in-flight activities finish (their grace time), then the clients and the embedded servers.
    shutdown.add('workers', () => stopChildren('worker'));
    shutdown.add('api', () => {
      stopping = true;
      restarts.forEach(clearTimeout);
      return stopChildren('api');
    });

    const listening = new Promise<number>((resolve) => {
      let count = 0;
      cluster.on('listening', (_child, address) => {
        count += 1;
        if (count === apiProcesses) resolve(address.port);
      });
    });
    for (let index = 1; index <= workerProcesses; index += 1) fork('worker', index);
    for (let index = 1; index <= apiProcesses; index += 1) fork('api', index);
    const port = await listening;
    await waitForPollers(
      runtime,
      ofRole('worker').map(({ child }) => `${child.process.pid}@${hostname()}`),
    );

    const list = (role: Role) =>
      ofRole(role)
        .map(({ index, child }) => `${keyOf(role, index)} pid ${child.process.pid}`)
        .join(', ');
    const extraLines = [
      `  API processes:    ${list('api')} (one port, round-robin)`,
      `  Worker processes: ${list('worker')} (Temporal identity <pid>@${hostname()})`,
      `  Process list:     ${stateFile} (a process that dies starts again after ${restartDelayMs} ms)`,
    ];
    process.stdout.write(
      readyBanner(
        servers,
        setup,
        publicBaseUrlOf(config, port),
        `cluster: ${apiProcesses} API + ${workerProcesses} worker processes`,
        extraLines,
      ),
    );
  }

  async function stopChildren(role: Role) {
    await Promise.all(
      ofRole(role).map(async ({ child, index }) => {
        if (child.process.exitCode !== null || child.process.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        logger.info({ process: keyOf(role, index), pid: child.process.pid }, 'cluster process stopping');
        child.process.kill('SIGTERM');
        await exited;
      }),
    );
  }

  /** The banner says ready once Temporal lists every worker as a poller of the task queue. */
  async function waitForPollers(runtime: Runtime, identities: string[]) {
    const { namespace, taskQueue } = runtime.config.temporal;
    const deadline = Date.now() + 120_000;
    for (;;) {
      const described = await runtime.temporal.client.workflowService.describeTaskQueue({
        namespace,
        taskQueue: { name: taskQueue },
        taskQueueType: proto.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      });
      const polling = new Set((described.pollers ?? []).map((poller) => poller.identity));
      const missing = identities.filter((identity) => !polling.has(identity));
      if (missing.length === 0) return;
      if (Date.now() > deadline) {
        logger.warn({ missing }, 'workers not polling yet');
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  main().catch((error: unknown) => {
    logger.fatal({ err: error }, 'chathook cluster failed to start');
    void shutdown.shutdown('start failed', 1);
  });
}
