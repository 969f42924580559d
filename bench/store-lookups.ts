/**
 * How the embedded store's look-ups grow with what is stored (`npm run bench -- --only store`):
 * `findOne` by `_id`, by `{tenantId, _id}` (what every tenant-scoped read sends) and by an indexed
 * key, on collections of growing count and size, on FerretDB with its SQLite backend (the
 * embedded default) and, when Debian's PostgreSQL is installed, with its PostgreSQL backend. The
 * baseline of each row is the same query on the smallest collection of the same engine, in the
 * same run: a store whose look-ups are flat answers every row near 1×.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { MongoClient, ObjectId, type Collection, type Document } from 'mongodb';
import { startEmbeddedMongo } from '../src/platform/embedded/mongo-server.js';
import { waitForPort } from '../src/platform/embedded/child-process.js';
import { ferretdbPath } from '../src/platform/embedded/tool-paths.js';
import { createLogger } from '../src/platform/logger.js';
import { freePort } from '../test/support/free-port.js';
import type { FigureRow } from './load.js';
import type { BenchSuite } from './suite.js';

interface Shape {
  count: number;
  bytes: number;
}

const QUICK: Shape[] = [
  { count: 1_000, bytes: 1_000 },
  { count: 10_000, bytes: 1_000 },
  { count: 1_000, bytes: 25_000 },
  { count: 10_000, bytes: 25_000 },
];
const FULL: Shape[] = [...QUICK, { count: 100_000, bytes: 1_000 }, { count: 1_000, bytes: 250_000 }];

interface Engine {
  name: string;
  uri: string;
  stop(): Promise<void>;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function medianMs(query: () => Promise<unknown>, times: number): Promise<number> {
  const took: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await query();
    took.push(performance.now() - started);
  }
  return median(took);
}

async function fill(collection: Collection<Document>, shape: Shape) {
  await collection.drop().catch(() => undefined);
  await collection.createIndex({ tenantId: 1, alias: 1 });
  const tenantId = new ObjectId();
  const ids: ObjectId[] = [];
  const body = 'x'.repeat(shape.bytes);
  for (let at = 0; at < shape.count; at += 500) {
    const batch = Array.from({ length: Math.min(500, shape.count - at) }, (_, index) => {
      const _id = new ObjectId();
      ids.push(_id);
      return { _id, tenantId, alias: `a${at + index}`, body };
    });
    await collection.insertMany(batch);
  }
  const middle = Math.floor(shape.count / 2);
  return { tenantId, id: ids[middle]!, alias: `a${middle}` };
}

/** Milliseconds (median) of the three look-ups on one filled collection. */
async function measure(uri: string, shape: Shape) {
  const client = await MongoClient.connect(uri);
  try {
    const collection = client.db('store_bench').collection(`shape_${shape.count}_${shape.bytes}`);
    const { tenantId, id, alias } = await fill(collection, shape);
    const times = shape.count * shape.bytes > 100_000_000 ? 5 : 15;
    return {
      byId: await medianMs(() => collection.findOne({ _id: id }), times),
      byTenantAndId: await medianMs(() => collection.findOne({ tenantId, _id: id }), times),
      byIndexedKey: await medianMs(() => collection.findOne({ tenantId, alias }), times),
    };
  } finally {
    await client.close();
  }
}

async function sqliteEngine(dir: string): Promise<Engine> {
  const mongo = await startEmbeddedMongo(
    {
      dataDir: join(dir, 'sqlite'),
      port: await freePort(),
      mongodBinary: undefined,
      ferretdbPath: () => ferretdbPath({ ferretdbPath: process.env.FERRETDB_PATH }),
      logFile: join(dir, 'ferretdb-sqlite.log'),
    },
    createLogger('silent'),
  );
  return { name: 'FerretDB (SQLite)', uri: mongo.uri, stop: () => mongo.stop() };
}

/** Debian's PostgreSQL binaries, if installed (`apt-get install postgresql`). */
export function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const version = readdirSync(root).sort().at(-1);
  return version ? join(root, version, 'bin') : undefined;
}

/** PostgreSQL refuses to run as root: as root, its cluster is the `postgres` user's. */
function postgresUser(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  const line = execFileSync('getent', ['passwd', 'postgres'], { encoding: 'utf8' }).trim();
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

export async function postgresEngine(dir: string, bin: string): Promise<Engine> {
  const user = postgresUser();
  const data = join(dir, 'pg');
  mkdirSync(data, { recursive: true });
  if (user) {
    // The bench's directory is root's (0700): the postgres user must be able to reach its own.
    chmodSync(dir, 0o755);
    chownSync(data, user.uid, user.gid);
  }
  const as = user ? { uid: user.uid, gid: user.gid } : {};
  execFileSync(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'chathook'], { ...as, stdio: 'ignore' });
  const pgPort = await freePort();
  const postgres = spawn(
    join(bin, 'postgres'),
    ['-D', data, '-p', String(pgPort), '-k', data, '-c', 'listen_addresses=127.0.0.1'],
    { ...as, stdio: 'ignore' },
  );
  await waitForPort('127.0.0.1', pgPort, 30_000);
  execFileSync(join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(pgPort), '-U', 'chathook', 'ferretdb'], {
    ...as,
    stdio: 'ignore',
  });
  const port = await freePort();
  const ferret: ChildProcess = spawn(
    ferretdbPath({ ferretdbPath: process.env.FERRETDB_PATH }),
    [
      '--handler=postgresql',
      `--postgresql-url=postgres://chathook@127.0.0.1:${pgPort}/ferretdb`,
      `--state-dir=${dir}`,
      `--listen-addr=127.0.0.1:${port}`,
      '--telemetry=disable',
      '--debug-addr=-',
      '--log-level=warn',
    ],
    { stdio: 'ignore' },
  );
  await waitForPort('127.0.0.1', port, 30_000);
  const stopped = (child: ChildProcess) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return {
    name: 'FerretDB (PostgreSQL)',
    uri: `mongodb://127.0.0.1:${port}/`,
    stop: async () => {
      await stopped(ferret);
      await stopped(postgres);
    },
  };
}

const mb = (shape: Shape) => `${Math.round((shape.count * shape.bytes) / 1_000_000)} MB`;
const label = (shape: Shape) =>
  `${shape.count.toLocaleString('en')} × ${(shape.bytes / 1000).toLocaleString('en')} KB (${mb(shape)})`;

export const storeSuite: BenchSuite = {
  name: 'store',
  async run(context) {
    const shapes = context.full ? FULL : QUICK;
    const dir = mkdtempSync(join(tmpdir(), 'chathook-store-bench-'));
    const rows: FigureRow[] = [];
    const notes: string[] = [];
    const bin = postgresBin();
    const engines: Array<() => Promise<Engine>> = [() => sqliteEngine(dir)];
    if (bin) engines.push(() => postgresEngine(dir, bin));
    else notes.push('PostgreSQL is not installed (apt-get install postgresql): its backend was not measured.');
    try {
      for (const startEngine of engines) {
        const engine = await startEngine();
        try {
          const [smallest, ...rest] = shapes;
          const baseline = await measure(engine.uri, smallest!);
          context.log(`${engine.name} ${label(smallest!)}: ${JSON.stringify(baseline)}`);
          for (const shape of rest) {
            const figures = await measure(engine.uri, shape);
            context.log(`${engine.name} ${label(shape)}: ${JSON.stringify(figures)}`);
            for (const [query, name] of [
              ['byId', 'findOne by _id'],
              ['byTenantAndId', 'findOne by {tenantId, _id}'],
              ['byIndexedKey', 'findOne by an indexed key'],
            ] as const) {
              const ratio = figures[query] / baseline[query];
              rows.push({
                figure: `${engine.name}: ${name}, ${label(shape)}`,
                chathook: `${figures[query].toFixed(1)} ms`,
                baseline: `${baseline[query].toFixed(1)} ms at ${label(smallest!)} → ${ratio.toFixed(1)}×`,
                target: 'flat: ≤ 1.2×',
                met: ratio <= 1.2 ? 'yes' : 'no',
              });
            }
          }
        } finally {
          await engine.stop();
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return { rows, notes };
  },
};
