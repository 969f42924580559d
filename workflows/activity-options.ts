/**
 * The options the workflows schedule their activities with. Worker-side, not part of the
 * contract (workflows/contract/): the API never schedules an activity; besides workflow code,
 * only src/temporal/worker.ts reads them, to size its shutdown grace by their timeouts.
 */
import type { ActivityOptions } from '@temporalio/common';
import type { ChatSettings } from './contract/chat-session.js';

/** Read-model writes (chat opened/closed, delivery given up): retried until the database answers. */
export const RECORD_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '1m' },
};

/**
 * One reply through its carrier: retried for up to an hour. A short start-to-close (one HTTP
 * request): a send lost with a SIGKILLed worker is retried after 15 s, not 30, and the replies
 * queued behind it wait no longer (changing activity options keeps recorded histories replaying).
 */
export const CARRIER_SEND_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '15s',
  scheduleToCloseTimeout: '1h',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '5m' },
};

/**
 * Activation and stop: data problems fail at once (non-retryable); infrastructure problems (the
 * database not answering) are retried a bounded number of times.
 */
export const LIFECYCLE_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 6 },
};

/**
 * One webhook attempt (chat sessions): the workflow owns the backoff between attempts, so a
 * retrying delivery never holds up continue-as-new; Temporal retries only an attempt whose
 * outcome is unknown (the worker died or the activity timed out: a duplicate with the same
 * webhook-id is possible there, and only there). Short start-to-close: a SIGKILLed worker's
 * attempt is retried after at most DELIVERY_TIMEOUT + 5 s.
 */
export const attemptActivityOptions = (settings: ChatSettings): ActivityOptions => ({
  startToCloseTimeout: settings.deliveryTimeoutMs + 5_000,
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});

/**
 * Accepting an inbound message (from its update's handler): retried until the database answers,
 * never given up. Once its receipt may be written, the message belongs to this acceptance, whose
 * update is durable (the activity was scheduled by the task that accepted it): giving up would
 * leave a receipt that answers "duplicate" for a message no chat queued. A caller that waits too
 * long gets its 503 from the gateway's bound and retries; the retry reads the receipt.
 */
export const ACCEPT_ACTIVITY_OPTIONS: ActivityOptions = {
  // Long enough for a loaded database: a timed-out attempt is not stopped, so a short timeout
  // stacks attempts on the store that is already slow.
  startToCloseTimeout: '30s',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '5s' },
};
