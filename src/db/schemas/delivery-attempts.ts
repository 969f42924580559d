import mongoose, { type Connection, type InferRawDocTypeFromSchema } from 'mongoose';

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

export const createDeliveryAttemptRowModel = (db: Connection) =>
  db.model('DeliveryAttemptRow', deliveryAttemptRowSchema, 'deliveryattempts');
export type DeliveryAttemptRowModel = ReturnType<typeof createDeliveryAttemptRowModel>;
