import { inject } from 'vitest';
import type { Connection } from 'mongoose';
import { connectDatabase } from '../../src/db/database.js';
import { createModels, ensureIndexes, type Models } from '../../src/db/models.js';

/** A database of the test's own on the suite's MongoDB-wire server, with every index; `drop` removes it. */
export async function openOwnDatabase(
  name: string,
): Promise<{ db: Connection; models: Models; drop(): Promise<void> }> {
  const db = await connectDatabase(inject('mongoUri').replace(/\/[^/?]*(\?|$)/, `/${name}-${Date.now()}$1`));
  const models = createModels(db);
  await ensureIndexes(models);
  return {
    db,
    models,
    async drop() {
      await db.dropDatabase();
      await db.close();
    },
  };
}
