import { RouteKeys } from '../src/db/route-keys.js';
import { Context } from '@temporalio/activity';
import type { Dispatcher } from 'undici';
import type { DeliveryRepository } from '../src/db/deliveries.js';
import type { IntegrationRepository } from '../src/db/integrations.js';
import { nextRetryDelayMs } from '../src/domain/retry-delay.js';
import type { ChatEvent } from '../src/domain/webhook-template.js';
import type { Config } from '../src/platform/config.js';
import type { Logger } from '../src/platform/logger.js';
import type { ChathookMetrics } from '../src/platform/metrics.js';
import type { SecretBox } from '../src/platform/secrets.js';
import type { AttemptDeliveryInput, AttemptOutcome, DeliveryAttemptRecord } from '../workflows/contract/activity-io.js';
import { FailureType } from '../workflows/contract/failures.js';
import { insertAttemptRecord } from './chat-outbox.js';
import type { RecentPayloads } from './recent-payloads.js';
import type { RouteCache } from '../src/platform/route-cache.js';
import { sendSignedWebhook, type WebhookExchange } from './webhook-request.js';

export interface WebhookAttemptDeps {
  integrations: IntegrationRepository;
  deliveries: DeliveryRepository;
  secretBox: SecretBox;
  config: Config;
  logger: Logger;
  dispatcher: Dispatcher;
  metrics: ChathookMetrics;
  /** How long an attempt waits for its record to be written before handing it to the workflow. */
  recordWaitMs?: number;
  /** Tells the integration's other chats that its receiver answered again. */
  announceReceiverRecovered: (integrationId: string, fromWorkflowId: string) => void;
  /** Payloads this worker wrote lately (read before the deliveries collection). */
  recentPayloads: RecentPayloads;
  /** The process's routing cache: a first attempt may take its integration from it. */
  routeCache: RouteCache;
}

/**
 * About 2 s: long enough for a healthy database, short enough that the attempt always completes
 * well inside its start-to-close timeout, so a slow write never makes Temporal retry an attempt
 * whose request was delivered.
 */
const RECORD_WAIT_MS = 2_000;

/** True when `work` settled successfully within `ms`; it keeps running (and may still succeed) after a false. */
async function settledWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([
      work.then(
        () => true,
        () => false,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The event to send: as this worker wrote it lately, else as stored. */
async function findDeliveryEvent(
  deps: Pick<WebhookAttemptDeps, 'deliveries' | 'recentPayloads'>,
  deliveryId: string,
): Promise<ChatEvent | null> {
  return deps.recentPayloads.get(deliveryId) ?? deps.deliveries.findEvent(deliveryId);
}

/**
 * One webhook attempt of a chat session's (or a replay's) series: the workflow owns the backoff
 * between attempts (durable timers), so a retrying delivery never holds up continue-as-new.
 * Throws only for infrastructure trouble before the request is sent (the database not
 * answering): Temporal retries that. What the receiver did is an outcome, never an exception.
 */
export function createWebhookAttemptActivities(deps: WebhookAttemptDeps) {
  const { config, logger, metrics } = deps;
  const recordWaitMs = deps.recordWaitMs ?? RECORD_WAIT_MS;

  /**
   * Writes the attempt row, waiting at most `recordWaitMs` and never past a second before the
   * attempt's start-to-close deadline (slow reads before the request may have used the time);
   * the record is returned when the write did not finish.
   */
  async function recordWithin(
    record: DeliveryAttemptRecord,
    deadlineMs: number,
    log: Logger,
  ): Promise<DeliveryAttemptRecord | null> {
    const write = insertAttemptRecord(deps.deliveries, record);
    const waitMs = Math.min(recordWaitMs, deadlineMs - Date.now());
    if (waitMs > 0 && (await settledWithin(write, waitMs))) return null;
    write.catch((error: unknown) => log.warn({ err: error }, 'webhook attempt record failed; the workflow writes it'));
    return record;
  }

  return {
    async attemptWebhookDelivery(input: AttemptDeliveryInput): Promise<AttemptOutcome> {
      const { info } = Context.current();
      const log = logger.child({
        integrationId: input.integrationId,
        deliveryId: input.deliveryId,
        series: input.series,
        attempt: input.attempt,
        execution: info.attempt,
      });
      const at = new Date();
      const recordDeadlineMs = at.getTime() + info.startToCloseTimeoutMs - 1_000;
      // A first attempt follows its acceptance by milliseconds: the integration as the route cache
      // has it (at most ROUTE_CACHE_TTL old) is the one the message was accepted for. A retry
      // reads it fresh, so a receiver fixed by a PUT is what the next attempt goes to.
      const loadIntegration = () => deps.integrations.findById(input.integrationId);
      const firstTry = input.attempt === 1 && info.attempt === 1;
      const [event, integration] = await Promise.all([
        findDeliveryEvent(deps, input.deliveryId),
        firstTry
          ? deps.routeCache.lookup(RouteKeys.integration(input.integrationId), loadIntegration)
          : loadIntegration(),
      ]);
      let exchange: WebhookExchange;
      if (!event)
        exchange = {
          kind: 'FAILED',
          type: FailureType.NOT_FOUND,
          error: 'the delivery is not recorded',
          statusCode: null,
          durationMs: 0,
        };
      else if (!integration)
        exchange = {
          kind: 'FAILED',
          type: FailureType.INTEGRATION_GONE,
          error: 'the integration was deleted',
          statusCode: null,
          durationMs: 0,
        };
      else
        exchange = await sendSignedWebhook(
          { ...deps, timeoutMs: config.delivery.timeoutMs },
          { integration, event, deliveryId: input.deliveryId, at },
        );

      const base = {
        deliveryId: input.deliveryId,
        series: input.series,
        attempt: input.attempt,
        at: at.toISOString(),
        statusCode: exchange.statusCode,
        durationMs: exchange.durationMs,
      };
      if (exchange.kind === 'DELIVERED') {
        metrics.deliveryAttempts.inc({ outcome: 'succeeded' });
        metrics.deliveries.inc({ outcome: 'succeeded' });
        log.info({ statusCode: exchange.statusCode, durationMs: exchange.durationMs }, 'webhook delivered');
        // A success after a failed attempt: the receiver is back, and other chats may be waiting out a backoff.
        if (input.attempt > 1)
          deps.announceReceiverRecovered(input.integrationId, info.workflowExecution?.workflowId ?? '');
        // Delivered: a replay, if ever, reads the row.
        deps.recentPayloads.delete(input.deliveryId);
        return {
          kind: 'DELIVERED',
          record: await recordWithin({ ...base, error: null, outcome: 'SUCCEEDED' }, recordDeadlineMs, log),
        };
      }
      const retry = exchange.kind === 'RETRY';
      metrics.deliveryAttempts.inc({ outcome: retry ? 'retry' : 'failed' });
      log.warn({ statusCode: exchange.statusCode, retry, err: exchange.error }, 'webhook attempt failed');
      const record = await recordWithin(
        { ...base, error: exchange.error, outcome: retry ? 'RETRY' : 'FAILED' },
        recordDeadlineMs,
        log,
      );
      if (exchange.kind === 'FAILED') {
        metrics.deliveries.inc({ outcome: 'failed' });
        return { kind: 'FAILED', reason: exchange.error, record };
      }
      const retryInMs = nextRetryDelayMs({
        attempt: input.attempt,
        initialMs: config.delivery.retryInitialMs,
        maxMs: config.delivery.retryMaxIntervalMs,
        retryAfterMs: exchange.retryAfterMs,
      });
      return { kind: 'RETRY', retryInMs, reason: exchange.error, record };
    },
  };
}
