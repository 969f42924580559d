import { z } from 'zod';
import type { Models, ReservationDoc } from '../../db/models.js';
import { createReservation, deleteReservation, findReservation, listReservations } from '../../services/reservations.js';
import { tenantIdOf } from '../auth.js';
import { page, ReservationSchema, type Reservation } from '../response-schemas.js';
import { ErrorCode } from '../../domain/error-catalogue.js';
import { errorReply, json, type ApiRoutes } from '../route.js';
import { ListQuerySchema, ReservationCreateSchema } from '../../domain/request-schemas.js';

const TAG = 'Sender reservations';
const ReservationParams = z.object({ id: z.string().describe('the reservation id') });
const reservationNotFound = errorReply(ErrorCode.NOT_FOUND, 'unknown id');

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
  api.route(
    {
      method: 'post',
      path: '/v1/reservations',
      tag: TAG,
      summary: 'Reserve a sender for another platform feature',
      auth: 'tenantKey',
      body: ReservationCreateSchema,
      responses: { 201: json(ReservationSchema, 'created') },
      errors: [errorReply(ErrorCode.UNKNOWN_SENDER, "not a sender of the tenant's own connections on that channel")],
    },
    async ({ body, req, res }) => {
      res.status(201).json(presentReservation(await createReservation(models, tenantIdOf(req), body)));
    },
  );

  api.route(
    { method: 'get', path: '/v1/reservations', tag: TAG, summary: 'List reservations', auth: 'tenantKey', query: ListQuerySchema, responses: { 200: json(page(ReservationSchema), 'a page') } },
    async ({ query, req, res }) => {
      res.json(await listReservations(models, tenantIdOf(req), query, presentReservation));
    },
  );

  api.route(
    { method: 'get', path: '/v1/reservations/:id', tag: TAG, summary: 'One reservation', auth: 'tenantKey', params: ReservationParams, responses: { 200: json(ReservationSchema, 'the reservation') }, errors: [reservationNotFound] },
    async ({ params, req, res }) => {
      res.json(presentReservation(await findReservation(models, tenantIdOf(req), params.id)));
    },
  );

  api.route(
    { method: 'delete', path: '/v1/reservations/:id', tag: TAG, summary: 'Delete a reservation', auth: 'tenantKey', params: ReservationParams, responses: { 204: { description: 'deleted' } }, errors: [reservationNotFound] },
    async ({ params, req, res }) => {
      await deleteReservation(models, tenantIdOf(req), params.id);
      res.status(204).end();
    },
  );
}
