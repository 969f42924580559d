/**
 * Delivery replay workflow: one recorded delivery sent again, as a new attempt series with the
 * same `webhook-id`, independently of the chat's queue.
 *
 * Id: `delivery-replay-<webhook-id>` (contract.deliveryReplayWorkflowId) for deliveries of chat
 * sessions: one series per delivery at a time (a second start while it runs is refused); older
 * requests used `delivery-replay-<webhook-id>-<request>`. Lifecycle: attempts with the chat's
 * backoff until success, a permanent failure or DELIVERY_MAX_DURATION; completes either way.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { ChathookActivities } from '../activities/index.js';
import { deliveryActivityOptions, type DeliveryReplayInput } from './contract.js';
import { deliveryFailureReason } from './delivery-failure.js';
import { runDeliverySeries } from './delivery-series.js';

export { replayWorkflowId } from './contract.js';

export async function deliveryReplayWorkflow(input: DeliveryReplayInput): Promise<void> {
  const { delivery, settings, series } = input;
  if (series !== undefined) {
    // A delivery of a chat session: its payload is in its row; the series is numbered after the previous ones.
    const queued = { deliveryId: delivery.deliveryId, event: delivery.event.event, attempts: 0, firstAttemptAt: null, nextAttemptAt: null };
    await runDeliverySeries(queued, { tenantId: delivery.tenantId, integrationId: delivery.integrationId, series, settings, shouldPause: () => false });
    return;
  }
  // Deliveries recorded by legacy chats (their recorded histories replay through this path).
  // The failure record runs under the delivery's options too (as it always has in recorded histories).
  const { deliverWebhookEvent, markDeliveryFailed } = proxyActivities<ChathookActivities>(deliveryActivityOptions(settings));
  try {
    await deliverWebhookEvent({ ...delivery, replay: true });
  } catch (error) {
    await markDeliveryFailed({ deliveryId: delivery.deliveryId, reason: deliveryFailureReason(error) });
  }
}
