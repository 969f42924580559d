/** Readiness: the process serves only while MongoDB and the Temporal namespace both answer. */
import type { Connection as MongoConnection } from 'mongoose';
import type { Connection as TemporalConnection } from '@temporalio/client';
import { pingDatabase } from '../db/database.js';
import { describeNamespace } from '../temporal/namespace-probe.js';

export interface ReadinessTargets {
  db: MongoConnection;
  temporal: TemporalConnection;
  namespace: string;
}

export interface Check {
  ok: boolean;
  error?: string;
}

export interface Readiness {
  ready: boolean;
  checks: { mongodb: Check; temporal: Check };
}

/** A probe that hangs counts as down: load balancers call readiness with short timeouts of their own. */
const PROBE_TIMEOUT_MS = 3_000;

const withTimeout = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms).unref()),
  ]);

async function probe(check: () => Promise<unknown>): Promise<Check> {
  try {
    await withTimeout(check(), PROBE_TIMEOUT_MS);
    return { ok: true };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

export async function checkReadiness(targets: ReadinessTargets): Promise<Readiness> {
  const [mongodb, temporal] = await Promise.all([
    probe(() => pingDatabase(targets.db)),
    probe(() => describeNamespace(targets.temporal, targets.namespace)),
  ]);
  return { ready: mongodb.ok && temporal.ok, checks: { mongodb, temporal } };
}
