import type { ConnectionRepository } from '../db/connections.js';
import type { Page } from '../db/pagination.js';
import type { ReservationDoc, ReservationRepository } from '../db/reservations.js';
import type { ListQuery, ReservationCreate } from '../domain/request-schemas.js';
import { tenantSendersOf } from './connections.js';
import { AppError, ErrorCode, notFound } from './errors.js';
import { checkQuota, type QuotaDeps } from './quotas.js';

export interface ReservationDeps {
  reservations: ReservationRepository;
  /** Only the tenant's own connections' senders may be reserved. */
  connections: ConnectionRepository;
  /** QUOTA_RESERVATIONS and the tenant's override. */
  quotas: QuotaDeps['quotas'];
  tenants: QuotaDeps['tenants'];
}

/**
 * Senders another platform feature holds, among the tenant's own connections' senders
 * (UNKNOWN_SENDER otherwise: a tenant cannot block a sender that is not its own). Creating
 * one never fails because an integration uses the sender: conflicts are evaluated when an
 * integration is activated (SPEC section 2).
 */
export async function createReservation(
  deps: ReservationDeps,
  input: { tenantId: string; reservation: ReservationCreate },
): Promise<ReservationDoc> {
  const { tenantId, reservation } = input;
  await tenantSendersOf(deps, {
    tenantId,
    channel: reservation.channel,
    senders: [reservation.sender],
    field: 'sender',
  });
  await checkQuota(deps, { tenantId, quota: 'reservations', used: () => deps.reservations.countForTenant(tenantId) });
  // One reservation of a sender for a feature per tenant: the unique index decides, races included.
  const stored = await deps.reservations.insert({ tenantId, ...reservation });
  if (stored) return stored;
  throw new AppError({
    code: ErrorCode.RESERVATION_EXISTS,
    message: `${reservation.channel} sender ${reservation.sender} is already reserved for ${reservation.feature}`,
  });
}

export function listReservations(
  deps: Pick<ReservationDeps, 'reservations'>,
  input: { tenantId: string; query: ListQuery },
): Promise<Page<ReservationDoc>> {
  return deps.reservations.list(input.tenantId, input.query);
}

export async function findReservation(
  deps: Pick<ReservationDeps, 'reservations'>,
  input: { tenantId: string; id: string },
): Promise<ReservationDoc> {
  const doc = await deps.reservations.findForTenant(input.tenantId, input.id);
  if (!doc) throw notFound('Reservation');
  return doc;
}

export async function deleteReservation(
  deps: Pick<ReservationDeps, 'reservations'>,
  input: { tenantId: string; id: string },
): Promise<void> {
  if (!(await deps.reservations.deleteForTenant(input.tenantId, input.id))) throw notFound('Reservation');
}
