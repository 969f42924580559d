import mongoose, { type Connection, type InferRawDocTypeFromSchema } from 'mongoose';
import type { Models } from './models.js';

const { Schema } = mongoose;

/**
 * The attempt log of deliveries recorded by chat sessions: one inserted row per attempt and one
 * per series that ended without success (`GIVEN_UP`). Rows are only ever inserted, so recording
 * costs the same however many deliveries are stored (an update or upsert on the embedded
 * FerretDB/SQLite engine scans its collection). The `_id` is derived from what the row records,
 * so writing the same row twice (a slow write the workflow repeats) stores it once.
 */
const deliveryAttemptRowSchema = Schema.create(
  {
    _id: { type: String, required: true },
    deliveryId: { type: String, required: true },
    /** 0 for the chat's own series, then one per replay. */
    series: { type: Number, required: true },
    /** 1 for a series' first attempt; 0 for GIVEN_UP. */
    attempt: { type: Number, required: true },
    kind: { type: String, enum: ['ATTEMPT', 'GIVEN_UP'] as const, required: true },
    at: { type: Date, required: true },
    statusCode: { type: Number, default: null },
    error: { type: String, default: null },
    durationMs: { type: Number, required: true },
    outcome: { type: String, enum: ['SUCCEEDED', 'RETRY', 'FAILED'] as const, required: true },
  },
  { versionKey: false },
);
deliveryAttemptRowSchema.index({ deliveryId: 1, _id: -1 });

export type DeliveryAttemptRowDoc = InferRawDocTypeFromSchema<typeof deliveryAttemptRowSchema>;

export const createDeliveryAttemptRowModel = (db: Connection) => db.model('DeliveryAttemptRow', deliveryAttemptRowSchema, 'deliveryattempts');
export type DeliveryAttemptRowModel = ReturnType<typeof createDeliveryAttemptRowModel>;

/** One attempt (an execution that Temporal retried is a second row: its `at` differs). */
export const attemptRowId = (row: { deliveryId: string; series: number; attempt: number; at: Date }) =>
  `${row.deliveryId}/${row.series}/${row.attempt}/${row.at.getTime()}`;
/** At most one GIVEN_UP row per series. */
export const givenUpRowId = (deliveryId: string, series: number) => `${deliveryId}/${series}/given-up`;

/** What a delivery list shows of a delivery's attempt log. */
export interface AttemptLogSummary {
  status: 'PENDING' | 'SUCCEEDED' | 'FAILED';
  lastError: string | null;
  /** Every attempt of every series. */
  attemptCount: number;
  /** The last `ATTEMPTS_LISTED`, oldest first. */
  attempts: Array<{ at: Date; statusCode: number | null; error: string | null; durationMs: number }>;
  /** The highest series number recorded, or -1 when nothing is recorded yet. */
  lastSeries: number;
}

/** A delivery lists its last 100 attempts (SPEC 4); `attemptCount` counts them all. */
export const ATTEMPTS_LISTED = 100;

const EMPTY_LOG: AttemptLogSummary = { status: 'PENDING', lastError: null, attemptCount: 0, attempts: [], lastSeries: -1 };

/** Log order: by series, a series' attempts in order (a repeated execution by time), its GIVEN_UP last. */
const logOrder = (a: DeliveryAttemptRowDoc, b: DeliveryAttemptRowDoc) =>
  a.series - b.series ||
  Number(a.kind === 'GIVEN_UP') - Number(b.kind === 'GIVEN_UP') ||
  a.attempt - b.attempt ||
  a.at.getTime() - b.at.getTime();

/** The latest row decides: SUCCEEDED, FAILED (and GIVEN_UP) as they say, RETRY is still PENDING. */
export function summarizeAttemptLog(rows: DeliveryAttemptRowDoc[]): AttemptLogSummary {
  if (rows.length === 0) return EMPTY_LOG;
  const ordered = [...rows].sort(logOrder);
  const latest = ordered[ordered.length - 1]!;
  const attempts = ordered.filter((row) => row.kind === 'ATTEMPT');
  return {
    status: latest.kind === 'GIVEN_UP' || latest.outcome === 'FAILED' ? 'FAILED' : latest.outcome === 'SUCCEEDED' ? 'SUCCEEDED' : 'PENDING',
    lastError: latest.error ?? null,
    attemptCount: attempts.length,
    attempts: attempts.slice(-ATTEMPTS_LISTED).map(({ at, statusCode, error, durationMs }) => ({ at, statusCode: statusCode ?? null, error: error ?? null, durationMs })),
    lastSeries: latest.series,
  };
}

/**
 * The attempt logs of a page of deliveries, in one query (on FerretDB every non-`_id` filter
 * reads the whole collection, so one read per page, not one per delivery).
 */
export async function attemptLogsOf(models: Models, deliveryIds: string[]): Promise<Map<string, AttemptLogSummary>> {
  const logs = new Map<string, AttemptLogSummary>();
  if (deliveryIds.length === 0) return logs;
  const rows = await models.DeliveryAttemptRow.find({ deliveryId: { $in: deliveryIds } }).lean<DeliveryAttemptRowDoc[]>();
  const byDelivery = new Map<string, DeliveryAttemptRowDoc[]>();
  for (const row of rows) {
    const list = byDelivery.get(row.deliveryId);
    if (list) list.push(row);
    else byDelivery.set(row.deliveryId, [row]);
  }
  for (const deliveryId of deliveryIds) logs.set(deliveryId, summarizeAttemptLog(byDelivery.get(deliveryId) ?? []));
  return logs;
}

/** The series number a replay of this delivery takes: one after the last recorded (1 when only the chat's ran). */
export async function nextReplaySeries(models: Models, deliveryId: string): Promise<number> {
  const log = (await attemptLogsOf(models, [deliveryId])).get(deliveryId)!;
  return Math.max(1, log.lastSeries + 1);
}
