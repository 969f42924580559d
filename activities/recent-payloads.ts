import { LRUCache } from 'lru-cache';
import type { ChatEvent } from '../src/domain/webhook-template.js';

/**
 * The payloads this worker wrote lately, by delivery id. A payload row is immutable once written,
 * so a cached one is never stale: the first attempt of a delivery (usually milliseconds after its
 * row was written, on the same worker) skips a read of a collection that grows with every message
 * (on the embedded FerretDB/SQLite engine an _id look-up there slows as it grows). A miss (another
 * worker wrote it, a restart, a replay days later) reads the row as before.
 */
export type RecentPayloads = LRUCache<string, ChatEvent>;

/** Bounded by count: a payload is read within moments of being written, or not from here at all. */
export const RECENT_PAYLOADS_KEPT = 2_000;

export function createRecentPayloads(max = RECENT_PAYLOADS_KEPT): RecentPayloads {
  return new LRUCache<string, ChatEvent>({ max });
}
