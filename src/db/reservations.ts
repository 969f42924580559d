import { insertOr } from './duplicate-key.js';
import type { Channel } from '../domain/webhook-template.js';
import { ifOwnedBy, objectIdOrNull, type Id } from './ids.js';
import type { Models } from './models.js';
import { listPage, type Page, type PageQuery } from './pagination.js';
import type { ReservationDoc } from './schemas/reservations.js';

export type { ReservationDoc };

export interface NewReservation {
  tenantId: Id;
  channel: Channel;
  sender: string;
  feature: ReservationDoc['feature'];
  label?: string | undefined;
}

/** Senders a tenant keeps for another feature; sender claims (senders.ts) read them too. */
export function createReservationRepository(models: Pick<Models, 'Reservation'>) {
  return {
    /** How many the tenant holds (indexed tenantId): for quotas on management writes, never on the MO path. */
    countForTenant(tenantId: Id): Promise<number> {
      return models.Reservation.countDocuments({ tenantId });
    },

    /** Null when the tenant already reserves this sender for this feature (the unique index). */
    insert(reservation: NewReservation): Promise<ReservationDoc | null> {
      return insertOr(
        async () => (await models.Reservation.create(reservation)).toObject(),
        () => null,
      );
    },

    list(tenantId: Id, query: PageQuery): Promise<Page<ReservationDoc>> {
      return listPage(query, (range, limit) =>
        models.Reservation.find({ tenantId, ...range })
          .sort({ _id: 1 })
          .limit(limit)
          .lean<ReservationDoc[]>(),
      );
    },

    async findForTenant(tenantId: Id, id: string): Promise<ReservationDoc | null> {
      const _id = objectIdOrNull(id);
      return _id ? ifOwnedBy(await models.Reservation.findById(_id).lean<ReservationDoc>(), tenantId) : null;
    },

    /** False when the tenant has no such reservation. */
    async deleteForTenant(tenantId: Id, id: string): Promise<boolean> {
      const result = await models.Reservation.deleteOne({ tenantId, _id: objectIdOrNull(id) });
      return result.deletedCount > 0;
    },
  };
}

export type ReservationRepository = ReturnType<typeof createReservationRepository>;
