import mongoose, { type Types } from 'mongoose';

/** An id as callers hold it: the hex string of a URL or a workflow input, or a document's own. */
export type Id = string | Types.ObjectId;

export const asObjectId = (id: Id): Types.ObjectId => (typeof id === 'string' ? new mongoose.Types.ObjectId(id) : id);

/** Ids in URLs that are not ObjectIds name nothing: a 404, like any unknown id. */
export const objectIdOrNull = (id: string): Types.ObjectId | null =>
  /^[0-9a-f]{24}$/.test(id) ? new mongoose.Types.ObjectId(id) : null;

/**
 * The document when it is the tenant's. Tenant-scoped reads find by `_id` alone and compare the
 * tenant here: the embedded engine serves an `_id`-only filter several times faster than one
 * with another member (README, "The embedded store's look-ups").
 */
export const ifOwnedBy = <D extends { tenantId: Types.ObjectId }>(doc: D | null, tenantId: Id): D | null =>
  doc && doc.tenantId.equals(tenantId) ? doc : null;
