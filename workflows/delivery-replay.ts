import { proxyActivities } from '@temporalio/workflow';
import type { ChathookActivities } from '../activities/index.js';
import type { DeliverWebhookInput } from '../activities/webhook-delivery.js';
import { deliveryFailureReason, type ChatSettings } from './chat-messages.js';

export const replayWorkflowId = (deliveryId: string, requestId: string) => `delivery-replay-${deliveryId}-${requestId}`;

/**
 * Replay of one recorded delivery. Id: `delivery-replay-<webhook-id>-<request>`. Sends the
 * delivery again as a new attempt series (same `webhook-id`) with the chat's retry policy,
 * independently of the chat's queue; records FAILED when the series ends without success.
 */
export async function deliveryReplayWorkflow(input: { delivery: DeliverWebhookInput; settings: ChatSettings }): Promise<void> {
  const { settings } = input;
  const { deliverWebhookEvent, markDeliveryFailed } = proxyActivities<ChathookActivities>({
    startToCloseTimeout: settings.deliveryTimeoutMs + 5_000,
    scheduleToCloseTimeout: settings.deliveryMaxDurationMs,
    retry: { initialInterval: settings.deliveryRetryInitialMs, backoffCoefficient: 2, maximumInterval: settings.deliveryRetryMaxIntervalMs },
  });
  try {
    await deliverWebhookEvent({ ...input.delivery, replay: true });
  } catch (error) {
    await markDeliveryFailed({ deliveryId: input.delivery.deliveryId, reason: deliveryFailureReason(error) });
  }
}
