import { Router } from 'express';
import type { Connection as MongoConnection } from 'mongoose';
import type { Connection as TemporalConnection } from '@temporalio/client';

export interface ReadinessTargets {
  db: MongoConnection;
  temporal: TemporalConnection;
  namespace: string;
}

const withTimeout = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms).unref())]);

async function probe(check: () => Promise<unknown>): Promise<{ ok: boolean; error?: string }> {
  try {
    await withTimeout(check(), 3_000);
    return { ok: true };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

export function healthRouter(targets: ReadinessTargets): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const [mongodb, temporal] = await Promise.all([
      probe(async () => {
        const db = targets.db.db;
        if (!db) throw new Error('not connected');
        await db.admin().command({ ping: 1 });
      }),
      probe(() => targets.temporal.workflowService.describeNamespace({ namespace: targets.namespace })),
    ]);
    const ready = mongodb.ok && temporal.ok;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not-ready', checks: { mongodb, temporal } });
  });
  return router;
}
