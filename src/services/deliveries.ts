/** The client-webhook delivery log of an integration, and replays of recorded deliveries. */
import type { Types } from 'mongoose';
import type { AttemptLogSummary, DeliveryDoc, DeliveryRepository } from '../db/deliveries.js';
import type { IntegrationRepository } from '../db/integrations.js';
import type { Page } from '../db/pagination.js';
import type { ChatEvent } from '../domain/webhook-template.js';
import type { TemporalGateway } from '../temporal/gateway.js';
import { AppError, ErrorCode, notFound } from './errors.js';
import { findTenantIntegration } from './integrations.js';

export interface DeliveryDeps {
  deliveries: DeliveryRepository;
  integrations: IntegrationRepository;
  /** A replay is a workflow. */
  gateway: TemporalGateway;
}

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

/**
 * A status filter reads at most this many batches per page (each batch is one read on FerretDB); the cursor goes on
 * from there.
 */
const MAX_FILTER_BATCHES = 10;

async function deliveryViewsOf(deps: Pick<DeliveryDeps, 'deliveries'>, docs: DeliveryDoc[]): Promise<DeliveryView[]> {
  const logs = await deps.deliveries.attemptLogsOf(docs.map((doc) => doc.deliveryId));
  return docs.map((doc) => {
    const { status, lastError, attemptCount, attempts } = logs.get(doc.deliveryId)!;
    return {
      deliveryId: doc.deliveryId,
      chatId: doc.chatId,
      contact: doc.contact,
      event: doc.event,
      createdAt: doc.createdAt,
      status,
      lastError,
      attemptCount,
      attempts,
    };
  });
}

export const deliveryViewOf = async (deps: Pick<DeliveryDeps, 'deliveries'>, doc: DeliveryDoc): Promise<DeliveryView> =>
  (await deliveryViewsOf(deps, [doc]))[0]!;

/**
 * A page of an integration's deliveries, keyset-paginated on `_id`. A status is its attempt
 * log's, not a field of the row, so a status filter applies after reading: a page reads batches
 * until it is full, and may come back short with a cursor when the matching rows are sparse.
 */
export async function listDeliveries(
  deps: Pick<DeliveryDeps, 'deliveries' | 'integrations'>,
  input: { tenantId: string; integrationId: string; query: DeliveryFilter },
): Promise<Page<DeliveryView>> {
  const { query } = input;
  const integration = await findTenantIntegration(deps, { tenantId: input.tenantId, id: input.integrationId });
  const filter = { integrationId: integration._id, chatId: query.chatId, event: query.event };
  const batchSize = query.status ? Math.max(2 * query.limit, 100) : query.limit + 1;
  const matched: Array<{ _id: Types.ObjectId; view: DeliveryView }> = [];
  let after: string | Types.ObjectId | null = query.cursor ?? null;
  for (let batch = 0; batch < MAX_FILTER_BATCHES; batch += 1) {
    const docs = await deps.deliveries.listAfter(filter, after, batchSize);
    const views = await deliveryViewsOf(deps, docs);
    docs.forEach((doc, index) => {
      if (!query.status || views[index]!.status === query.status) matched.push({ _id: doc._id, view: views[index]! });
    });
    if (matched.length > query.limit) {
      const page = matched.slice(0, query.limit);
      return { items: page.map(({ view }) => view), nextCursor: page[page.length - 1]!._id.toHexString() };
    }
    if (docs.length < batchSize) return { items: matched.map(({ view }) => view), nextCursor: null };
    after = docs[docs.length - 1]!._id;
  }
  return { items: matched.map(({ view }) => view), nextCursor: after!.toString() };
}

/**
 * Sends a recorded delivery again as a new attempt series (same webhook-id, so the client can
 * de-duplicate); one series per delivery at a time (REPLAY_IN_PROGRESS). The row is not
 * updated: the new series, numbered after the last one recorded, writes its own attempt rows,
 * and the delivery's status follows them.
 */
export async function replayDelivery(
  deps: DeliveryDeps,
  input: { tenantId: string; integrationId: string; deliveryId: string },
): Promise<{ delivery: DeliveryDoc; replayId: string }> {
  const { tenantId } = input;
  const integration = await findTenantIntegration(deps, { tenantId, id: input.integrationId });
  const delivery = await deps.deliveries.findForIntegration(integration._id, input.deliveryId);
  if (!delivery) throw notFound('Delivery');
  const [payload, series] = await Promise.all([
    deps.deliveries.findPayload(delivery.deliveryId),
    deps.deliveries.nextReplaySeries(delivery.deliveryId),
  ]);
  const outcome = await deps.gateway.startDeliveryReplay(
    {
      tenantId,
      integrationId: integration._id.toHexString(),
      deliveryId: delivery.deliveryId,
      event: payload?.event ?? (delivery.payload as unknown as ChatEvent),
      createdAt: delivery.createdAt.toISOString(),
    },
    series,
  );
  if (outcome.kind === 'IN_PROGRESS')
    throw new AppError({
      code: ErrorCode.REPLAY_IN_PROGRESS,
      message: 'A replay of this delivery is still running; wait for its outcome',
    });
  return { delivery, replayId: outcome.replayId };
}
