import mongoose, { type Connection, type InferRawDocTypeFromSchema } from 'mongoose';

const { Schema } = mongoose;

/**
 * The first answer to a response-webhook request carrying an Idempotency-Key: its body, whose
 * `error` member (a refusal's) names the code the status is derived from. Records written
 * before also hold a `status`, no longer read.
 */
const idempotencyRecordSchema = Schema.create(
  {
    integrationId: { type: Schema.Types.ObjectId, required: true },
    key: { type: String, required: true },
    requestHash: { type: String, required: true },
    body: { type: Schema.Types.Mixed, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);
idempotencyRecordSchema.index({ integrationId: 1, key: 1 }, { unique: true });

/** Mongoose types a Mixed path as `any`; the body is the JSON answer. */
export type IdempotencyRecordDoc = Omit<InferRawDocTypeFromSchema<typeof idempotencyRecordSchema>, 'body'> & {
  body: Record<string, unknown>;
};

export const createIdempotencyRecordModel = (db: Connection) => db.model('IdempotencyRecord', idempotencyRecordSchema);
export type IdempotencyRecordModel = ReturnType<typeof createIdempotencyRecordModel>;
