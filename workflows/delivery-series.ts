/**
 * One delivery's attempt series, driven by the workflow: an activity per attempt, a durable
 * timer between attempts. The series' progress lives in the QueuedDelivery (attempts, first
 * attempt, next attempt), so a chat that continues as new carries a retrying delivery into its
 * next run instead of waiting for it: same webhook-id, same backoff, same deadline.
 *
 * Why not Temporal's activity retry policy: a retry series held by the server belongs to one run,
 * and continue-as-new would have to wait for it (up to DELIVERY_MAX_DURATION) or cancel it and
 * lose its attempt count. Temporal still retries an attempt whose outcome is unknown (worker
 * gone, timeout), which is the one case a duplicate with the same webhook-id can happen.
 */
import { condition, proxyActivities } from '@temporalio/workflow';
import type { ChathookActivities } from '../activities/index.js';
import { RECORD_ACTIVITY_OPTIONS, attemptActivityOptions } from './activity-options.js';
import type { ChatSettings } from './contract/chat-session.js';
import type { QueuedDelivery } from './contract/chat-state.js';

const { recordDeliveryAttempt, recordDeliveryGivenUp } = proxyActivities<ChathookActivities>(RECORD_ACTIVITY_OPTIONS);

const iso = (ms: number) => new Date(ms).toISOString();
const ms = (isoText: string) => new Date(isoText).getTime();

export interface DeliverySeriesContext {
  tenantId: string;
  integrationId: string;
  /** 0 for the chat's own series, then one per replay. */
  series: number;
  settings: ChatSettings;
  /** True when the run must end: a series waiting for its next attempt stops and is carried. */
  shouldPause: () => boolean;
  /** True when the receiver was reported back since `since` (ms): the wait for the next attempt ends early. */
  receiverRecoveredSince?: (since: number) => boolean;
}

/** Runs (or resumes) the series until it succeeds, fails for good, or the run must end. */
export async function runDeliverySeries(
  delivery: QueuedDelivery,
  context: DeliverySeriesContext,
): Promise<'DONE' | 'PAUSED'> {
  const { settings } = context;
  const { attemptWebhookDelivery } = proxyActivities<ChathookActivities>(attemptActivityOptions(settings));
  let lastReason = 'see the recorded attempts';
  for (;;) {
    const waitMs = delivery.nextAttemptAt ? ms(delivery.nextAttemptAt) - Date.now() : 0;
    if (waitMs > 0) {
      const since = Date.now();
      const recovered = () => context.receiverRecoveredSince?.(since) ?? false;
      await condition(() => context.shouldPause() || recovered(), waitMs);
      if (context.shouldPause()) return 'PAUSED';
    }
    if (waitMs <= 0 && context.shouldPause() && delivery.attempts === 0) return 'PAUSED';

    const now = Date.now();
    if (delivery.firstAttemptAt && now - ms(delivery.firstAttemptAt) >= settings.deliveryMaxDurationMs) {
      await giveUp(
        delivery,
        context,
        `DELIVERY_MAX_DURATION spent after ${delivery.attempts} attempts; last: ${lastReason}`,
      );
      return 'DONE';
    }
    delivery.firstAttemptAt ??= iso(now);
    delivery.attempts += 1;
    delivery.nextAttemptAt = null;
    const outcome = await attemptWebhookDelivery({
      tenantId: context.tenantId,
      integrationId: context.integrationId,
      deliveryId: delivery.deliveryId,
      series: context.series,
      attempt: delivery.attempts,
    });
    // The attempt could not be written in time: written now, without sending anything again.
    if (outcome.record) await recordDeliveryAttempt(outcome.record);
    if (outcome.kind !== 'RETRY') return 'DONE';

    lastReason = outcome.reason;
    const deadline = ms(delivery.firstAttemptAt) + settings.deliveryMaxDurationMs;
    const retryAt = Math.min(Date.now() + outcome.retryInMs, deadline);
    delivery.nextAttemptAt = iso(retryAt);
  }
}

async function giveUp(delivery: QueuedDelivery, context: DeliverySeriesContext, reason: string): Promise<void> {
  await recordDeliveryGivenUp({ deliveryId: delivery.deliveryId, series: context.series, reason, at: iso(Date.now()) });
}
