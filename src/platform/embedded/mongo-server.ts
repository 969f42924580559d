import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../logger.js';
import { assertPortFree, startChild, waitForPort } from './child-process.js';

export interface EmbeddedMongo {
  uri: string;
  engine: string;
  stop(): Promise<void>;
}

export interface EmbeddedMongoOptions {
  dataDir: string;
  port: number;
  /** A real `mongod` (MONGOMS_SYSTEM_BINARY): preferred over FerretDB when given. */
  mongodBinary: string | undefined;
  ferretdbPath: () => string;
  logFile: string;
}

/** A MongoDB wire-compatible server with its files under dataDir, so data survives restarts. */
export async function startEmbeddedMongo(options: EmbeddedMongoOptions, logger: Logger): Promise<EmbeddedMongo> {
  await assertPortFree('127.0.0.1', options.port, 'EMBEDDED_MONGO_PORT');
  if (options.mongodBinary) {
    const { MongoMemoryServer } = await import('mongodb-memory-server');
    const dbPath = join(options.dataDir, 'mongod');
    mkdirSync(dbPath, { recursive: true, mode: 0o700 });
    const server = await MongoMemoryServer.create({
      binary: { systemBinary: options.mongodBinary },
      instance: { dbPath, port: options.port, ip: '127.0.0.1', storageEngine: 'wiredTiger' },
    });
    return {
      uri: server.getUri(),
      engine: `mongod (${options.mongodBinary})`,
      stop: async () => {
        await server.stop({ doCleanup: false });
      },
    };
  }
  const dir = join(options.dataDir, 'ferretdb');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const child = startChild(
    'ferretdb',
    options.ferretdbPath(),
    [
      '--handler=sqlite',
      // Immediate transactions take SQLite's write lock up front and wait for it (busy_timeout),
      // instead of failing with SQLITE_BUSY when two deferred ones both try to upgrade.
      `--sqlite-url=file:${dir}/?_txlock=immediate`,
      `--state-dir=${dir}`,
      `--listen-addr=127.0.0.1:${options.port}`,
      '--telemetry=disable',
      '--debug-addr=-',
      '--log-level=warn',
    ],
    options.logFile,
    logger,
  );
  await waitForPort('127.0.0.1', options.port, 30_000, child);
  return {
    uri: `mongodb://127.0.0.1:${options.port}/chathook`,
    engine: 'FerretDB 1.24 (SQLite)',
    stop: () => child.stop(),
  };
}
