import { Router } from 'express';
import type { Models, ReservationDoc } from '../../db/models.js';
import { notFound } from '../../services/errors.js';
import { tenantIdOf } from '../auth.js';
import { listPage, objectIdOrNull } from '../../db/pagination.js';
import { ListQuerySchema, ReservationCreateSchema } from '../schemas.js';
import { parseInput } from '../validation.js';

export const presentReservation = (doc: ReservationDoc) => ({
  id: doc._id.toHexString(),
  channel: doc.channel,
  sender: doc.sender,
  feature: doc.feature,
  label: doc.label ?? null,
  createdAt: doc.createdAt,
});

export function reservationsRouter(models: Models): Router {
  const router = Router();
  // Creating a reservation never fails because an integration uses the sender: conflicts are
  // evaluated when an integration is activated (SPEC section 2).
  router.post('/v1/reservations', async (req, res) => {
    const input = parseInput(ReservationCreateSchema, req.body);
    const doc = await models.Reservation.create({ tenantId: tenantIdOf(req), ...input });
    res.status(201).json(presentReservation(doc.toObject()));
  });

  router.get('/v1/reservations', async (req, res) => {
    const query = parseInput(ListQuerySchema, req.query);
    res.json(await listPage(query, (range, limit) => models.Reservation.find({ tenantId: tenantIdOf(req), ...range }).sort({ _id: 1 }).limit(limit).lean(), presentReservation));
  });

  router.get('/v1/reservations/:id', async (req, res) => {
    const doc = await models.Reservation.findOne({ tenantId: tenantIdOf(req), _id: objectIdOrNull(req.params.id) }).lean();
    if (!doc) throw notFound('Reservation');
    res.json(presentReservation(doc));
  });

  router.delete('/v1/reservations/:id', async (req, res) => {
    const result = await models.Reservation.deleteOne({ tenantId: tenantIdOf(req), _id: objectIdOrNull(req.params.id) });
    if (result.deletedCount === 0) throw notFound('Reservation');
    res.status(204).end();
  });
  return router;
}
