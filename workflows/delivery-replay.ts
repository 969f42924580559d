/**
 * Delivery replay workflow: one recorded delivery sent again.
 *
 * Id: `delivery-replay-<webhook-id>-<request>` (contract.replayWorkflowId), a new one per replay
 * request. Lifecycle: the delivery goes out as a new attempt series (same `webhook-id`) with the
 * chat's retry policy, independently of the chat's queue; when the series ends without success
 * the delivery is recorded FAILED. Completes either way.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { ChathookActivities } from '../activities/index.js';
import { deliveryActivityOptions, type DeliveryReplayInput } from './contract.js';
import { deliveryFailureReason } from './delivery-failure.js';

export { replayWorkflowId } from './contract.js';

export async function deliveryReplayWorkflow(input: DeliveryReplayInput): Promise<void> {
  // The failure record runs under the delivery's options too (as it always has in recorded histories).
  const { deliverWebhookEvent, markDeliveryFailed } = proxyActivities<ChathookActivities>(deliveryActivityOptions(input.settings));
  try {
    await deliverWebhookEvent({ ...input.delivery, replay: true });
  } catch (error) {
    await markDeliveryFailed({ deliveryId: input.delivery.deliveryId, reason: deliveryFailureReason(error) });
  }
}
