import type { Types } from 'mongoose';
import { insertOnce } from './duplicate-key.js';
import type { Models } from './models.js';
import type { IdempotencyRecordDoc } from './schemas/idempotency-records.js';

export type { IdempotencyRecordDoc };

export type NewIdempotencyRecord = Omit<IdempotencyRecordDoc, '_id'>;

/** The first answer to a response-webhook request with an Idempotency-Key, unique per (integration, key). */
export function createIdempotencyRepository(models: Pick<Models, 'IdempotencyRecord'>) {
  const { IdempotencyRecord } = models;
  return {
    find(integrationId: Types.ObjectId, key: string): Promise<IdempotencyRecordDoc | null> {
      return IdempotencyRecord.findOne({ integrationId, key }).lean<IdempotencyRecordDoc>();
    },

    /** False when a concurrent request with the same key stored its answer first. */
    insert(record: NewIdempotencyRecord): Promise<boolean> {
      return insertOnce(() => IdempotencyRecord.create(record));
    },
  };
}

export type IdempotencyRepository = ReturnType<typeof createIdempotencyRepository>;
