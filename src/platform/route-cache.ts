import { LRUCache } from 'lru-cache';

/**
 * What an MO or MT is routed by (a connection by its code and the carrier secret that
 * authenticated it, a sender's claimant, the integration a response token names and its status),
 * kept by one process for ROUTE_CACHE_TTL (1 s by default) so the hot path skips its database
 * round trips (three per MO on the embedded engine; see README, Performance). The worker reads a
 * first attempt's integration and a carrier send's connection from it too.
 *
 * Only what was found is kept: a route that appears (an integration started, a sender claimed)
 * routes at once, so nothing is refused because of the cache. What goes away (a stop, a secret
 * rotated, a claim moved) is seen at once by the process that made the change (every write through
 * the management API clears its cache) and by the other API processes within the TTL.
 */
/**
 * A key and the type of what it holds, so a lookup cannot read an entry as another kind of
 * thing. Every key the product uses is built in one module (src/db/route-keys.ts).
 */
export interface RouteKey<T extends object> {
  readonly text: string;
  /** Never set: carries `T` for the type checker. */
  readonly holds?: T;
}

export const routeKey = <T extends object>(text: string): RouteKey<T> => ({ text });

export interface RouteCache {
  /** The cached value for `key`, or what `load` finds (kept when it is not null). */
  lookup<T extends object>(key: RouteKey<T>, load: () => Promise<T | null | undefined>): Promise<T | null | undefined>;
  clear(): void;
}

const ROUTES_KEPT = 10_000;

export function createRouteCache(options: { ttlMs: number; max?: number }): RouteCache {
  if (options.ttlMs <= 0) return { lookup: (_key, load) => load(), clear: () => undefined };
  const entries = new LRUCache<string, object>({ max: options.max ?? ROUTES_KEPT, ttl: options.ttlMs });
  return {
    async lookup<T extends object>(key: RouteKey<T>, load: () => Promise<T | null | undefined>) {
      const cached = entries.get(key.text) as T | undefined;
      if (cached) return cached;
      const loaded = await load();
      if (loaded) entries.set(key.text, loaded);
      return loaded;
    },
    clear: () => entries.clear(),
  };
}
