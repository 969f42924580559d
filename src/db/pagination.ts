import mongoose from 'mongoose';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A page as the list endpoints take it (the cursor is a previous page's `nextCursor`). */
export interface PageQuery {
  limit: number;
  cursor?: string | undefined;
}

/**
 * Keyset pagination on `_id`: stable under inserts, one indexed range scan per page.
 * `fetch` runs the caller's query with the range filter and a limit, sorted by `_id`.
 */
export async function listPage<D extends { _id: mongoose.Types.ObjectId }>(
  query: PageQuery,
  fetch: (range: Record<string, unknown>, limit: number) => Promise<D[]>,
): Promise<Page<D>> {
  const range = query.cursor ? { _id: { $gt: new mongoose.Types.ObjectId(query.cursor) } } : {};
  const docs = await fetch(range, query.limit + 1);
  const page = docs.slice(0, query.limit);
  return {
    items: page,
    nextCursor: docs.length > query.limit ? page[page.length - 1]!._id.toHexString() : null,
  };
}
