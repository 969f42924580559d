/**
 * Client-webhook deliveries: the listed row, the payload its attempts render, and the attempt log.
 * All three are insert-only (an update per attempt would scan its collection on the embedded
 * FerretDB/SQLite engine); a delivery's status is read from its attempt log.
 */
import mongoose, { type Types } from 'mongoose';
import type { ChatEvent } from '../domain/webhook-template.js';
import type { DeliveryAttemptRecord } from '../../workflows/contract/activity-io.js';
import { insertOnce } from './duplicate-key.js';
import { asObjectId, type Id } from './ids.js';
import type { Models } from './models.js';
import type { DeliveryDoc } from './schemas/deliveries.js';
import type { DeliveryAttemptRowDoc } from './schemas/delivery-attempts.js';
import type { DeliveryPayloadDoc } from './schemas/delivery-payloads.js';

export type { DeliveryAttemptRowDoc, DeliveryDoc, DeliveryPayloadDoc };

/** One accepted chat event, as both of its rows (listed delivery, payload) are written from it. */
export interface NewDelivery {
  deliveryId: string;
  tenantId: Id;
  integrationId: Id;
  event: ChatEvent;
  createdAt: Date;
}

/** What a list filters deliveries by, besides their status (which is their attempt log's). */
export interface DeliveryRowFilter {
  integrationId: Types.ObjectId;
  chatId?: string | undefined;
  event?: DeliveryDoc['event'] | undefined;
}

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

/**
 * An attempt row's `_id` is derived from what it records, so writing the same row twice (a slow
 * write the workflow repeats) stores it once; an execution that Temporal retried is a second row
 * (its `at` differs).
 */
export const attemptRowId = (row: { deliveryId: string; series: number; attempt: number; at: Date }) =>
  `${row.deliveryId}/${row.series}/${row.attempt}/${row.at.getTime()}`;
/** At most one GIVEN_UP row per series. */
export const givenUpRowId = (deliveryId: string, series: number) => `${deliveryId}/${series}/given-up`;

const EMPTY_LOG: AttemptLogSummary = {
  status: 'PENDING',
  lastError: null,
  attemptCount: 0,
  attempts: [],
  lastSeries: -1,
};

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
    status:
      latest.kind === 'GIVEN_UP' || latest.outcome === 'FAILED'
        ? 'FAILED'
        : latest.outcome === 'SUCCEEDED'
          ? 'SUCCEEDED'
          : 'PENDING',
    lastError: latest.error ?? null,
    attemptCount: attempts.length,
    attempts: attempts.slice(-ATTEMPTS_LISTED).map(({ at, statusCode, error, durationMs }) => ({
      at,
      statusCode: statusCode ?? null,
      error: error ?? null,
      durationMs,
    })),
    lastSeries: latest.series,
  };
}

export function createDeliveryRepository(models: Pick<Models, 'Delivery' | 'DeliveryPayload' | 'DeliveryAttemptRow'>) {
  const { Delivery, DeliveryPayload, DeliveryAttemptRow } = models;

  /**
   * The attempt logs of a page of deliveries, in one query (on FerretDB every non-`_id` filter
   * reads the whole collection, so one read per page, not one per delivery).
   */
  async function attemptLogsOf(deliveryIds: string[]): Promise<Map<string, AttemptLogSummary>> {
    const logs = new Map<string, AttemptLogSummary>();
    if (deliveryIds.length === 0) return logs;
    const rows = await DeliveryAttemptRow.find({ deliveryId: { $in: deliveryIds } }).lean<DeliveryAttemptRowDoc[]>();
    const byDelivery = new Map<string, DeliveryAttemptRowDoc[]>();
    for (const row of rows) {
      const list = byDelivery.get(row.deliveryId);
      if (list) list.push(row);
      else byDelivery.set(row.deliveryId, [row]);
    }
    for (const deliveryId of deliveryIds) logs.set(deliveryId, summarizeAttemptLog(byDelivery.get(deliveryId) ?? []));
    return logs;
  }

  return {
    /** The payload a delivery's attempts render, keyed by the delivery id: read by `_id` only, never listed. */
    async insertPayload(delivery: NewDelivery): Promise<void> {
      await insertOnce(() =>
        DeliveryPayload.create({
          _id: delivery.deliveryId,
          tenantId: asObjectId(delivery.tenantId),
          integrationId: asObjectId(delivery.integrationId),
          event: { ...delivery.event },
          createdAt: delivery.createdAt,
        }),
      );
    },

    /** The delivery as listed (PENDING until its attempt log says otherwise); a repeat is a no-op. */
    async insertListed(delivery: NewDelivery): Promise<void> {
      await insertOnce(() =>
        Delivery.create({
          deliveryId: delivery.deliveryId,
          tenantId: asObjectId(delivery.tenantId),
          integrationId: asObjectId(delivery.integrationId),
          chatId: delivery.event.chatId,
          contact: delivery.event.contact,
          event: delivery.event.event,
          payload: { ...delivery.event },
          createdAt: delivery.createdAt,
        }),
      );
    },

    /** The event to send: its payload row (by `_id`), or the listed row of a delivery recorded without one. */
    async findEvent(deliveryId: string): Promise<ChatEvent | null> {
      const payload = await DeliveryPayload.findById(deliveryId).lean<DeliveryPayloadDoc>();
      if (payload) return payload.event;
      const delivery = await Delivery.findOne({ deliveryId }).lean<DeliveryDoc>();
      return delivery ? (delivery.payload as unknown as ChatEvent) : null;
    },

    findPayload(deliveryId: string): Promise<DeliveryPayloadDoc | null> {
      return DeliveryPayload.findById(deliveryId).lean<DeliveryPayloadDoc>();
    },

    findForIntegration(integrationId: Types.ObjectId, deliveryId: string): Promise<DeliveryDoc | null> {
      return Delivery.findOne({ integrationId, deliveryId }).lean<DeliveryDoc>();
    },

    /** Up to `limit` rows after `after` (a cursor or a row's `_id`), in `_id` order. */
    listAfter(filter: DeliveryRowFilter, after: Id | null, limit: number): Promise<DeliveryDoc[]> {
      const query = {
        integrationId: filter.integrationId,
        ...(filter.chatId ? { chatId: filter.chatId } : {}),
        ...(filter.event ? { event: filter.event } : {}),
        ...(after ? { _id: { $gt: typeof after === 'string' ? new mongoose.Types.ObjectId(after) : after } } : {}),
      };
      return Delivery.find(query).sort({ _id: 1 }).limit(limit).lean<DeliveryDoc[]>();
    },

    attemptLogsOf,

    /** The series number a replay of this delivery takes: one after the last recorded (1 when only the chat's ran). */
    async nextReplaySeries(deliveryId: string): Promise<number> {
      const log = (await attemptLogsOf([deliveryId])).get(deliveryId)!;
      return Math.max(1, log.lastSeries + 1);
    },

    /** One attempt's row; false when it was written already. */
    insertAttempt(record: DeliveryAttemptRecord): Promise<boolean> {
      const at = new Date(record.at);
      return insertOnce(() =>
        DeliveryAttemptRow.create({
          _id: attemptRowId({ ...record, at }),
          deliveryId: record.deliveryId,
          series: record.series,
          attempt: record.attempt,
          kind: 'ATTEMPT',
          at,
          statusCode: record.statusCode,
          error: record.error,
          durationMs: record.durationMs,
          outcome: record.outcome,
        }),
      );
    },

    /** A series that ended without success: the delivery reads FAILED. False when it was written already. */
    insertGivenUp(row: { deliveryId: string; series: number; at: Date; error: string }): Promise<boolean> {
      return insertOnce(() =>
        DeliveryAttemptRow.create({
          _id: givenUpRowId(row.deliveryId, row.series),
          deliveryId: row.deliveryId,
          series: row.series,
          attempt: 0,
          kind: 'GIVEN_UP',
          at: row.at,
          statusCode: null,
          error: row.error,
          durationMs: 0,
          outcome: 'FAILED',
        }),
      );
    },
  };
}

export type DeliveryRepository = ReturnType<typeof createDeliveryRepository>;
