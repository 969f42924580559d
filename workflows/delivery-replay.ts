/**
 * Delivery replay workflow: one recorded delivery sent again, as a new attempt series with the
 * same `webhook-id`, independently of the chat's queue. The series is numbered after those already
 * recorded (the API picks it), so its attempt rows and outcome never mix with theirs; each
 * attempt reads the payload from the delivery's row.
 *
 * Id: `delivery-replay-<webhook-id>` (contract.deliveryReplayWorkflowId): one series per delivery
 * at a time (a second start while it runs is refused). Lifecycle: attempts with the chat's
 * backoff until success, a permanent failure or DELIVERY_MAX_DURATION; completes either way.
 */
import type { DeliveryReplayInput } from './contract/delivery-replay.js';
import { runDeliverySeries } from './delivery-series.js';

export async function deliveryReplayWorkflow(input: DeliveryReplayInput): Promise<void> {
  const { delivery, settings, series } = input;
  const queued = {
    deliveryId: delivery.deliveryId,
    event: delivery.event.event,
    attempts: 0,
    firstAttemptAt: null,
    nextAttemptAt: null,
  };
  await runDeliverySeries(queued, {
    tenantId: delivery.tenantId,
    integrationId: delivery.integrationId,
    series,
    settings,
    shouldPause: () => false,
  });
}
