/**
 * The database handle the entry points open (src/bin) and the repositories built on it: the
 * only door into src/db from outside that is not a repository.
 */
import mongoose, { type Connection } from 'mongoose';
import { createModels, ensureIndexes } from './models.js';
import { createRepositories, type Repositories } from './repositories.js';

/** One finished database command, as the driver's command monitoring reports it. */
export interface DbCommandTiming {
  command: string;
  collection: string;
  durationMs: number;
  failed: boolean;
}

export async function connectDatabase(
  uri: string,
  options: { onCommand?: (timing: DbCommandTiming) => void } = {},
): Promise<Connection> {
  const { onCommand } = options;
  const db = mongoose.createConnection(uri, {
    serverSelectionTimeoutMS: 5_000,
    autoIndex: false,
    monitorCommands: Boolean(onCommand),
  });
  if (onCommand) {
    // The driver's started event names the collection; the finished one only carries its request id.
    const collections = new Map<number, string>();
    const client = db.getClient();
    client.on('commandStarted', (event) => {
      const target = event.command[event.commandName] as unknown;
      collections.set(event.requestId, typeof target === 'string' ? target : '-');
    });
    const finished = (failed: boolean) => (event: { requestId: number; commandName: string; duration: number }) => {
      const collection = collections.get(event.requestId) ?? '-';
      collections.delete(event.requestId);
      onCommand({ command: event.commandName, collection, durationMs: event.duration, failed });
    };
    client.on('commandSucceeded', finished(false));
    client.on('commandFailed', finished(true));
  }
  await db.asPromise();
  return db;
}

/** The repositories of a connected database, its indexes created first (unique ones guard correctness). */
export async function openRepositories(db: Connection): Promise<Repositories> {
  const models = createModels(db);
  await ensureIndexes(models);
  return createRepositories(models);
}

/** Readiness: one round trip to the server. */
export async function pingDatabase(db: Connection): Promise<void> {
  if (!db.db) throw new Error('not connected');
  await db.db.admin().command({ ping: 1 });
}

export type { Repositories } from './repositories.js';
