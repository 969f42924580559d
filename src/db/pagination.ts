import mongoose from 'mongoose';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * Keyset pagination on `_id`: stable under inserts, one indexed range scan per page.
 * `fetch` runs the caller's query with the range filter and a limit, sorted by `_id`.
 */
export async function listPage<D extends { _id: mongoose.Types.ObjectId }, T>(
  query: { limit: number; cursor?: string | undefined },
  fetch: (range: Record<string, unknown>, limit: number) => Promise<D[]>,
  present: (doc: D) => T,
): Promise<Page<T>> {
  const range = query.cursor ? { _id: { $gt: new mongoose.Types.ObjectId(query.cursor) } } : {};
  const docs = await fetch(range, query.limit + 1);
  const page = docs.slice(0, query.limit);
  return {
    items: page.map(present),
    nextCursor: docs.length > query.limit ? page[page.length - 1]!._id.toHexString() : null,
  };
}

/** Ids in URLs that are not ObjectIds name nothing: a 404, like any unknown id. */
export const objectIdOrNull = (id: string): mongoose.Types.ObjectId | null =>
  /^[0-9a-f]{24}$/.test(id) ? new mongoose.Types.ObjectId(id) : null;
