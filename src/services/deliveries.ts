/** The client-webhook delivery log of an integration, and replays of recorded deliveries. */
import type { DeliveryDoc, DeliveryPayloadDoc, Models } from '../db/models.js';
import { nextReplaySeries } from '../db/delivery-attempts.js';
import { listPage, type Page } from '../db/pagination.js';
import type { ChatEvent } from '../domain/webhook-template.js';
import type { TemporalGateway } from '../temporal/gateway.js';
import { conflict, notFound } from './errors.js';
import { findTenantIntegration } from './integrations.js';

export interface DeliveryFilter {
  limit: number;
  cursor?: string | undefined;
  chatId?: string | undefined;
  status?: DeliveryDoc['status'] | undefined;
  event?: DeliveryDoc['event'] | undefined;
}

export async function listDeliveries<T>(models: Models, tenantId: string, integrationId: string, query: DeliveryFilter, present: (doc: DeliveryDoc) => T): Promise<Page<T>> {
  const integration = await findTenantIntegration(models, tenantId, integrationId);
  const filter = {
    integrationId: integration._id,
    ...(query.chatId ? { chatId: query.chatId } : {}),
    ...(query.status ? { status: query.status } : {}),
    ...(query.event ? { event: query.event } : {}),
  };
  return listPage(query, (range, limit) => models.Delivery.find({ ...filter, ...range }).sort({ _id: 1 }).limit(limit).lean<DeliveryDoc[]>(), present);
}

/**
 * Sends a recorded delivery again as a new attempt series (same webhook-id, so the client can
 * de-duplicate); one series per delivery at a time (409 REPLAY_IN_PROGRESS).
 *
 * A legacy row reads PENDING before its series starts: written after, PENDING could overwrite
 * the outcome of a first attempt quicker than this request (and it is set back if no series
 * starts). A chat session's row is never updated: its status is its attempt log's, where the
 * new series (numbered after the last one recorded) writes its own rows.
 */
export async function replayDelivery(models: Models, gateway: TemporalGateway, tenantId: string, integrationId: string, deliveryId: string): Promise<{ delivery: DeliveryDoc; replayId: string }> {
  const integration = await findTenantIntegration(models, tenantId, integrationId);
  const delivery = await models.Delivery.findOne({ integrationId: integration._id, deliveryId }).lean<DeliveryDoc>();
  if (!delivery) throw notFound('Delivery');
  const outbox = delivery.outbox === true;
  const [payload, series] = outbox
    ? await Promise.all([models.DeliveryPayload.findById(delivery.deliveryId).lean<DeliveryPayloadDoc>(), nextReplaySeries(models, delivery.deliveryId)])
    : [null, undefined];
  if (!outbox) await models.Delivery.updateOne({ _id: delivery._id }, { $set: { status: 'PENDING' } });
  const restore = async () => {
    if (!outbox) await models.Delivery.updateOne({ _id: delivery._id, status: 'PENDING' }, { $set: { status: delivery.status } });
  };
  const outcome = await gateway
    .startDeliveryReplay(
      {
        tenantId,
        integrationId: integration._id.toHexString(),
        deliveryId: delivery.deliveryId,
        event: payload?.event ?? (delivery.payload as unknown as ChatEvent),
        createdAt: delivery.createdAt.toISOString(),
      },
      series,
    )
    .catch(async (error: unknown) => {
      await restore();
      throw error;
    });
  if ('inProgress' in outcome) {
    await restore();
    throw conflict('REPLAY_IN_PROGRESS', 'A replay of this delivery is still running; wait for its outcome');
  }
  return { delivery: { ...delivery, status: 'PENDING' }, replayId: outcome.started.replayId };
}
