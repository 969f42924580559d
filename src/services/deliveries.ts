/** The client-webhook delivery log of an integration, and replays of recorded deliveries. */
import mongoose from 'mongoose';
import type { AttemptLogSummary, DeliveryDoc, DeliveryPayloadDoc, Models } from '../db/models.js';
import { attemptLogsOf, nextReplaySeries } from '../db/delivery-attempts.js';
import type { Page } from '../db/pagination.js';
import type { ChatEvent } from '../domain/webhook-template.js';
import type { TemporalGateway } from '../temporal/gateway.js';
import { AppError, ErrorCode, notFound } from './errors.js';
import { findTenantIntegration } from './integrations.js';

export interface DeliveryFilter {
  limit: number;
  cursor?: string | undefined;
  chatId?: string | undefined;
  status?: AttemptLogSummary['status'] | undefined;
  event?: DeliveryDoc['event'] | undefined;
}

/** A delivery as listed: its row, with status and attempts from its attempt log. */
export interface DeliveryView {
  deliveryId: string;
  chatId: string;
  contact: string;
  event: DeliveryDoc['event'];
  status: AttemptLogSummary['status'];
  createdAt: Date;
  lastError: string | null;
  /** Every attempt of every series. */
  attemptCount: number;
  /** The last ATTEMPTS_LISTED, oldest first. */
  attempts: AttemptLogSummary['attempts'];
}

/** A status filter reads at most this many batches per page (each batch is one read on FerretDB); the cursor goes on from there. */
const MAX_FILTER_BATCHES = 10;

async function deliveryViewsOf(models: Models, docs: DeliveryDoc[]): Promise<DeliveryView[]> {
  const logs = await attemptLogsOf(models, docs.map((doc) => doc.deliveryId));
  return docs.map((doc) => {
    const { status, lastError, attemptCount, attempts } = logs.get(doc.deliveryId)!;
    return { deliveryId: doc.deliveryId, chatId: doc.chatId, contact: doc.contact, event: doc.event, createdAt: doc.createdAt, status, lastError, attemptCount, attempts };
  });
}

export const deliveryViewOf = async (models: Models, doc: DeliveryDoc): Promise<DeliveryView> => (await deliveryViewsOf(models, [doc]))[0]!;

/**
 * A page of an integration's deliveries, keyset-paginated on `_id`. A status is its attempt
 * log's, not a field of the row, so a status filter applies after reading: a page reads batches
 * until it is full, and may come back short with a cursor when the matching rows are sparse.
 */
export async function listDeliveries<T>(models: Models, tenantId: string, integrationId: string, query: DeliveryFilter, present: (view: DeliveryView) => T): Promise<Page<T>> {
  const integration = await findTenantIntegration(models, tenantId, integrationId);
  const filter = {
    integrationId: integration._id,
    ...(query.chatId ? { chatId: query.chatId } : {}),
    ...(query.event ? { event: query.event } : {}),
  };
  const batchSize = query.status ? Math.max(2 * query.limit, 100) : query.limit + 1;
  const matched: Array<{ _id: mongoose.Types.ObjectId; view: DeliveryView }> = [];
  let after = query.cursor ? new mongoose.Types.ObjectId(query.cursor) : null;
  for (let batch = 0; batch < MAX_FILTER_BATCHES; batch += 1) {
    const docs = await models.Delivery.find({ ...filter, ...(after ? { _id: { $gt: after } } : {}) })
      .sort({ _id: 1 })
      .limit(batchSize)
      .lean<DeliveryDoc[]>();
    const views = await deliveryViewsOf(models, docs);
    docs.forEach((doc, index) => {
      if (!query.status || views[index]!.status === query.status) matched.push({ _id: doc._id, view: views[index]! });
    });
    if (matched.length > query.limit) {
      const page = matched.slice(0, query.limit);
      return { items: page.map(({ view }) => present(view)), nextCursor: page[page.length - 1]!._id.toHexString() };
    }
    if (docs.length < batchSize) return { items: matched.map(({ view }) => present(view)), nextCursor: null };
    after = docs[docs.length - 1]!._id;
  }
  return { items: matched.map(({ view }) => present(view)), nextCursor: after!.toHexString() };
}

/**
 * Sends a recorded delivery again as a new attempt series (same webhook-id, so the client can
 * de-duplicate); one series per delivery at a time (REPLAY_IN_PROGRESS). The row is not
 * updated: the new series, numbered after the last one recorded, writes its own attempt rows,
 * and the delivery's status follows them.
 */
export async function replayDelivery(models: Models, gateway: TemporalGateway, tenantId: string, integrationId: string, deliveryId: string): Promise<{ delivery: DeliveryDoc; replayId: string }> {
  const integration = await findTenantIntegration(models, tenantId, integrationId);
  const delivery = await models.Delivery.findOne({ integrationId: integration._id, deliveryId }).lean<DeliveryDoc>();
  if (!delivery) throw notFound('Delivery');
  const [payload, series] = await Promise.all([models.DeliveryPayload.findById(delivery.deliveryId).lean<DeliveryPayloadDoc>(), nextReplaySeries(models, delivery.deliveryId)]);
  const outcome = await gateway.startDeliveryReplay(
    {
      tenantId,
      integrationId: integration._id.toHexString(),
      deliveryId: delivery.deliveryId,
      event: payload?.event ?? (delivery.payload as unknown as ChatEvent),
      createdAt: delivery.createdAt.toISOString(),
    },
    series,
  );
  if (outcome.kind === 'IN_PROGRESS') throw new AppError({ code: ErrorCode.REPLAY_IN_PROGRESS, message: 'A replay of this delivery is still running; wait for its outcome' });
  return { delivery, replayId: outcome.replayId };
}
