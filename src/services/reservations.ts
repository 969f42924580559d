import type { Models, ReservationDoc } from '../db/models.js';
import { listPage, objectIdOrNull, type Page } from '../db/pagination.js';
import type { ListQuery, ReservationCreate } from '../domain/request-schemas.js';
import { tenantSendersOf } from './connections.js';
import { notFound } from './errors.js';

/**
 * Senders another platform feature holds, among the tenant's own connections' senders
 * (UNKNOWN_SENDER otherwise: a tenant cannot block a sender that is not its own). Creating
 * one never fails because an integration uses the sender: conflicts are evaluated when an
 * integration is activated (SPEC section 2).
 */
export async function createReservation(models: Models, tenantId: string, input: ReservationCreate): Promise<ReservationDoc> {
  await tenantSendersOf(models, tenantId, input.channel, [input.sender], 'sender');
  return (await models.Reservation.create({ tenantId, ...input })).toObject();
}

export function listReservations<T>(models: Models, tenantId: string, query: ListQuery, present: (doc: ReservationDoc) => T): Promise<Page<T>> {
  return listPage(query, (range, limit) => models.Reservation.find({ tenantId, ...range }).sort({ _id: 1 }).limit(limit).lean(), present);
}

export async function findReservation(models: Models, tenantId: string, id: string): Promise<ReservationDoc> {
  const doc = await models.Reservation.findOne({ tenantId, _id: objectIdOrNull(id) }).lean();
  if (!doc) throw notFound('Reservation');
  return doc;
}

export async function deleteReservation(models: Models, tenantId: string, id: string): Promise<void> {
  const result = await models.Reservation.deleteOne({ tenantId, _id: objectIdOrNull(id) });
  if (result.deletedCount === 0) throw notFound('Reservation');
}
