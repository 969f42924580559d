/** MongoDB's (and FerretDB's) answer to an insert that a unique index refuses. */
export const isDuplicateKeyError = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;

/**
 * Runs an insert; when a unique index refuses it (the row, or another with its key, is there),
 * runs `onDuplicate` instead: an update of the row found, a read of what won, or nothing. The one
 * way this code settles a write that may be repeated or raced: the insert first, since an update
 * or upsert scans its collection on the embedded FerretDB/SQLite engine while an insert stays
 * flat, and the unique index decides between concurrent writers on any engine.
 */
export async function insertOr<T>(insert: () => Promise<T>, onDuplicate: () => Promise<T> | T): Promise<T> {
  try {
    return await insert();
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    return onDuplicate();
  }
}

/** An insert that a retry may repeat: true when this call stored the row, false when it was there. */
export const insertOnce = (insert: () => Promise<unknown>): Promise<boolean> =>
  insertOr(
    async () => {
      await insert();
      return true;
    },
    () => false,
  );
