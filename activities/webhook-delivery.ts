import { ApplicationFailure, Context } from '@temporalio/activity';
import mongoose from 'mongoose';
import type { Dispatcher } from 'undici';
import type { Config } from '../src/platform/config.js';
import { isDuplicateKeyError, type DeliveryAttempt, type IntegrationDoc, type Models } from '../src/db/models.js';
import { nextRetryDelayMs } from '../src/domain/retry-delay.js';
import type { Logger } from '../src/platform/logger.js';
import type { ChathookMetrics } from '../src/platform/metrics.js';
import type { SecretBox } from '../src/platform/secrets.js';
import { FailureType, type DeliverWebhookInput } from '../workflows/contract.js';
import { MAX_ERROR_TEXT, sendSignedWebhook } from './webhook-request.js';

export type { DeliverWebhookInput };

export interface WebhookDeliveryDeps {
  models: Models;
  secretBox: SecretBox;
  config: Config;
  logger: Logger;
  dispatcher: Dispatcher;
  metrics: ChathookMetrics;
}

/**
 * One attempt per activity execution. Temporal's retry policy owns the retries (so a worker
 * restart mid-backoff loses nothing: the timer lives on the server); the attempt sets the next
 * interval itself (`nextRetryDelay`) to add jitter and honour `Retry-After`.
 */
export function createWebhookDeliveryActivities(deps: WebhookDeliveryDeps) {
  const { models, config, logger, metrics } = deps;

  /**
   * One write per attempt. The first attempt inserts the row (most deliveries need no other):
   * an insert stays cheap as the collection grows, where an update or upsert on the embedded
   * FerretDB/SQLite engine scans it. Later attempts, replays and a retried first attempt update.
   */
  const recordAttempt = async (input: DeliverWebhookInput, attempt: DeliveryAttempt, status: 'PENDING' | 'SUCCEEDED' | 'FAILED', attemptNumber: number) => {
    if (attemptNumber === 1 && !input.replay) {
      try {
        await models.Delivery.create({
          deliveryId: input.deliveryId,
          tenantId: new mongoose.Types.ObjectId(input.tenantId),
          integrationId: new mongoose.Types.ObjectId(input.integrationId),
          chatId: input.event.chatId,
          contact: input.event.contact,
          event: input.event.event,
          payload: { ...input.event },
          status,
          createdAt: new Date(input.createdAt),
          attempts: [attempt],
          lastError: attempt.error,
        });
        return;
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
    }
    await models.Delivery.updateOne(
      { deliveryId: input.deliveryId },
      {
        $push: { attempts: attempt },
        $set: { status, lastError: attempt.error },
        $setOnInsert: {
          deliveryId: input.deliveryId,
          tenantId: new mongoose.Types.ObjectId(input.tenantId),
          integrationId: new mongoose.Types.ObjectId(input.integrationId),
          chatId: input.event.chatId,
          contact: input.event.contact,
          event: input.event.event,
          payload: input.event,
          createdAt: new Date(input.createdAt),
        },
      },
      { upsert: true },
    );
  };

  return {
    /** Legacy chats and replays of their deliveries: one attempt, Temporal's retry policy between attempts. */
    async deliverWebhookEvent(input: DeliverWebhookInput): Promise<{ statusCode: number }> {
      const { attempt: attemptNumber } = Context.current().info;
      const log = logger.child({ chatId: input.event.chatId, integrationId: input.integrationId, webhookId: input.deliveryId, attempt: attemptNumber });
      const at = new Date();
      const fail = async (error: string, options: { retry: boolean; statusCode?: number | null; durationMs?: number; retryAfterMs?: number | undefined; type: string }) => {
        await recordAttempt(
          input,
          { at, statusCode: options.statusCode ?? null, error: error.slice(0, MAX_ERROR_TEXT), durationMs: Math.round(options.durationMs ?? 0) },
          options.retry ? 'PENDING' : 'FAILED',
          attemptNumber,
        );
        metrics.deliveryAttempts.inc({ outcome: options.retry ? 'retry' : 'failed' });
        log.warn({ statusCode: options.statusCode ?? null, retry: options.retry, err: error }, 'webhook attempt failed');
        if (!options.retry) {
          metrics.deliveries.inc({ outcome: 'failed' });
          throw ApplicationFailure.create({ type: options.type, message: error, nonRetryable: true });
        }
        throw ApplicationFailure.create({
          type: options.type,
          message: error,
          nextRetryDelay: nextRetryDelayMs({
            attempt: attemptNumber,
            initialMs: config.delivery.retryInitialMs,
            maxMs: config.delivery.retryMaxIntervalMs,
            retryAfterMs: options.retryAfterMs,
          }),
        });
      };

      const integration = (await models.Integration.findById(input.integrationId).lean()) as IntegrationDoc | null;
      if (!integration) return fail('the integration was deleted', { retry: false, type: FailureType.INTEGRATION_GONE });
      const exchange = await sendSignedWebhook({ ...deps, timeoutMs: config.delivery.timeoutMs }, { integration, event: input.event, deliveryId: input.deliveryId, at });
      if (exchange.kind === 'DELIVERED') {
        const { statusCode, durationMs } = exchange;
        await recordAttempt(input, { at, statusCode, error: null, durationMs }, 'SUCCEEDED', attemptNumber);
        metrics.deliveryAttempts.inc({ outcome: 'succeeded' });
        metrics.deliveries.inc({ outcome: 'succeeded' });
        log.info({ statusCode, durationMs }, 'webhook delivered');
        return { statusCode };
      }
      return fail(exchange.error, {
        retry: exchange.kind === 'RETRY',
        statusCode: exchange.statusCode,
        durationMs: exchange.durationMs,
        retryAfterMs: exchange.kind === 'RETRY' ? exchange.retryAfterMs : undefined,
        type: exchange.type,
      });
    },

    /** The workflow gave up on a delivery (permanent failure or DELIVERY_MAX_DURATION spent). */
    async markDeliveryFailed(input: { deliveryId: string; reason: string }): Promise<void> {
      const result = await models.Delivery.updateOne(
        { deliveryId: input.deliveryId, status: { $ne: 'FAILED' } },
        { $set: { status: 'FAILED', lastError: input.reason.slice(0, MAX_ERROR_TEXT) } },
      );
      if (result.modifiedCount > 0) metrics.deliveries.inc({ outcome: 'failed' });
    },
  };
}
