/** The client-webhook delivery log of an integration, and replays of recorded deliveries. */
import type { DeliveryDoc, Models } from '../db/models.js';
import { listPage, type Page } from '../db/pagination.js';
import type { ChatEvent } from '../domain/webhook-template.js';
import type { TemporalGateway } from '../temporal/gateway.js';
import { notFound } from './errors.js';
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
 * de-duplicate): the record reads PENDING until the replay's first attempt is written.
 */
export async function replayDelivery(models: Models, gateway: TemporalGateway, tenantId: string, integrationId: string, deliveryId: string): Promise<{ delivery: DeliveryDoc; replayId: string }> {
  const integration = await findTenantIntegration(models, tenantId, integrationId);
  const delivery = await models.Delivery.findOne({ integrationId: integration._id, deliveryId }).lean<DeliveryDoc>();
  if (!delivery) throw notFound('Delivery');
  const { replayId } = await gateway.startDeliveryReplay({
    tenantId,
    integrationId: integration._id.toHexString(),
    deliveryId: delivery.deliveryId,
    event: delivery.payload as unknown as ChatEvent,
    createdAt: delivery.createdAt.toISOString(),
  });
  await models.Delivery.updateOne({ _id: delivery._id }, { $set: { status: 'PENDING' } });
  return { delivery: { ...delivery, status: 'PENDING' }, replayId };
}
