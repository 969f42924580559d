import { describe, expect, it } from 'vitest';
import { createRouteCache, routeKey } from '../../../src/platform/route-cache.js';

/** A loader that counts its calls and answers what `value()` says now (the "database"). */
function countingLoader<T extends object>(value: () => T | null) {
  const loader = { calls: 0, load: async () => (loader.calls++, value()) };
  return loader;
}

describe('the route cache', () => {
  it('keeps what was found: a second lookup within the TTL does not load again', async () => {
    const routes = createRouteCache({ ttlMs: 60_000 });
    const loader = countingLoader(() => ({ code: 'A' }));
    expect(await routes.lookup(routeKey('connection:A'), loader.load)).toEqual({ code: 'A' });
    expect(await routes.lookup(routeKey('connection:A'), loader.load)).toEqual({ code: 'A' });
    expect(loader.calls).toBe(1);
  });

  it('never keeps a miss: a route that appears is used at once', async () => {
    const routes = createRouteCache({ ttlMs: 60_000 });
    let stored: { code: string } | null = null;
    const loader = countingLoader(() => stored);
    expect(await routes.lookup(routeKey('connection:B'), loader.load)).toBeNull();
    stored = { code: 'B' };
    expect(await routes.lookup(routeKey('connection:B'), loader.load)).toEqual({ code: 'B' });
    expect(loader.calls).toBe(2);
  });

  it('loads again after clear() (a change made through this process)', async () => {
    const routes = createRouteCache({ ttlMs: 60_000 });
    let stored: { status: string } = { status: 'ACTIVE' };
    const loader = countingLoader(() => stored);
    await routes.lookup(routeKey('integration:1'), loader.load);
    stored = { status: 'INACTIVE' };
    routes.clear();
    expect(await routes.lookup(routeKey('integration:1'), loader.load)).toEqual({ status: 'INACTIVE' });
  });

  it('loads again once the TTL passed (a change made through another process)', async () => {
    const routes = createRouteCache({ ttlMs: 20 });
    let stored = { status: 'ACTIVE' };
    const loader = countingLoader(() => stored);
    await routes.lookup(routeKey('integration:2'), loader.load);
    stored = { status: 'INACTIVE' };
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(await routes.lookup(routeKey('integration:2'), loader.load)).toEqual({ status: 'INACTIVE' });
  });

  it('with a TTL of 0 always loads', async () => {
    const routes = createRouteCache({ ttlMs: 0 });
    const loader = countingLoader(() => ({ code: 'C' }));
    await routes.lookup(routeKey('connection:C'), loader.load);
    await routes.lookup(routeKey('connection:C'), loader.load);
    expect(loader.calls).toBe(2);
  });
});
