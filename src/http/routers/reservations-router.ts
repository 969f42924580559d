import { z } from 'zod';
import type { Models, ReservationDoc } from '../../db/models.js';
import { listPage, objectIdOrNull } from '../../db/pagination.js';
import { notFound } from '../../services/errors.js';
import { tenantIdOf } from '../auth.js';
import { page, ReservationSchema, type Reservation } from '../response-schemas.js';
import { json, problem, type ApiRoutes } from '../route.js';
import { ListQuerySchema, ReservationCreateSchema } from '../schemas.js';

const TAG = 'Sender reservations';
const ReservationParams = z.object({ id: z.string().describe('the reservation id') });

export const presentReservation = (doc: ReservationDoc) =>
  ({
    id: doc._id.toHexString(),
    channel: doc.channel,
    sender: doc.sender,
    feature: doc.feature,
    label: doc.label ?? null,
    createdAt: doc.createdAt.toISOString(),
  }) satisfies Reservation;

export function reservationsRoutes(api: ApiRoutes, models: Models): void {
  // Creating a reservation never fails because an integration uses the sender: conflicts are
  // evaluated when an integration is activated (SPEC section 2).
  api.route(
    { method: 'post', path: '/v1/reservations', tag: TAG, summary: 'Reserve a sender for another platform feature', auth: 'tenantKey', body: ReservationCreateSchema, responses: { 201: json(ReservationSchema, 'created') } },
    async ({ body, req, res }) => {
      const doc = await models.Reservation.create({ tenantId: tenantIdOf(req), ...body });
      res.status(201).json(presentReservation(doc.toObject()));
    },
  );

  api.route(
    { method: 'get', path: '/v1/reservations', tag: TAG, summary: 'List reservations', auth: 'tenantKey', query: ListQuerySchema, responses: { 200: json(page(ReservationSchema), 'a page') } },
    async ({ query, req, res }) => {
      res.json(await listPage(query, (range, limit) => models.Reservation.find({ tenantId: tenantIdOf(req), ...range }).sort({ _id: 1 }).limit(limit).lean(), presentReservation));
    },
  );

  api.route(
    { method: 'get', path: '/v1/reservations/:id', tag: TAG, summary: 'One reservation', auth: 'tenantKey', params: ReservationParams, responses: { 200: json(ReservationSchema, 'the reservation'), 404: problem('NOT_FOUND: unknown id') } },
    async ({ params, req, res }) => {
      const doc = await models.Reservation.findOne({ tenantId: tenantIdOf(req), _id: objectIdOrNull(params.id) }).lean();
      if (!doc) throw notFound('Reservation');
      res.json(presentReservation(doc));
    },
  );

  api.route(
    { method: 'delete', path: '/v1/reservations/:id', tag: TAG, summary: 'Delete a reservation', auth: 'tenantKey', params: ReservationParams, responses: { 204: { description: 'deleted' }, 404: problem('NOT_FOUND: unknown id') } },
    async ({ params, req, res }) => {
      const result = await models.Reservation.deleteOne({ tenantId: tenantIdOf(req), _id: objectIdOrNull(params.id) });
      if (result.deletedCount === 0) throw notFound('Reservation');
      res.status(204).end();
    },
  );
}
