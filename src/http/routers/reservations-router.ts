import { z } from 'zod';
import type { ReservationDoc } from '../../db/reservations.js';
import {
  createReservation,
  deleteReservation,
  findReservation,
  listReservations,
  type ReservationDeps,
} from '../../services/reservations.js';
import { tenantIdOf } from '../auth.js';
import { page, presentPage, ReservationSchema, type Reservation } from '../response-schemas.js';
import { ErrorCode } from '../../domain/error-catalogue.js';
import { quotaExceeded } from '../quota-replies.js';
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

export function reservationsRoutes(api: ApiRoutes, deps: ReservationDeps): void {
  api.route(
    {
      method: 'post',
      path: '/v1/reservations',
      tag: TAG,
      summary: 'Reserve a sender for another platform feature',
      auth: 'tenantKey',
      body: ReservationCreateSchema,
      responses: { 201: json(ReservationSchema, 'created') },
      errors: [
        errorReply(ErrorCode.UNKNOWN_SENDER, "not a sender of the tenant's own connections on that channel"),
        errorReply(ErrorCode.RESERVATION_EXISTS, 'the tenant already reserves this sender for this feature'),
        quotaExceeded('reservations'),
      ],
    },
    async ({ body, req, res }) => {
      res
        .status(201)
        .json(presentReservation(await createReservation(deps, { tenantId: tenantIdOf(req), reservation: body })));
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/reservations',
      tag: TAG,
      summary: 'List reservations',
      auth: 'tenantKey',
      query: ListQuerySchema,
      responses: { 200: json(page(ReservationSchema), 'a page') },
    },
    async ({ query, req, res }) => {
      res.json(presentPage(await listReservations(deps, { tenantId: tenantIdOf(req), query }), presentReservation));
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/reservations/:id',
      tag: TAG,
      summary: 'One reservation',
      auth: 'tenantKey',
      params: ReservationParams,
      responses: { 200: json(ReservationSchema, 'the reservation') },
      errors: [reservationNotFound],
    },
    async ({ params, req, res }) => {
      res.json(presentReservation(await findReservation(deps, { tenantId: tenantIdOf(req), id: params.id })));
    },
  );

  api.route(
    {
      method: 'delete',
      path: '/v1/reservations/:id',
      tag: TAG,
      summary: 'Delete a reservation',
      auth: 'tenantKey',
      params: ReservationParams,
      responses: { 204: { description: 'deleted' } },
      errors: [reservationNotFound],
    },
    async ({ params, req, res }) => {
      await deleteReservation(deps, { tenantId: tenantIdOf(req), id: params.id });
      res.status(204).end();
    },
  );
}
