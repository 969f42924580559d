import { ApplicationFailure, Context } from '@temporalio/activity';
import mongoose from 'mongoose';
import { performance } from 'node:perf_hooks';
import { Webhook } from 'standardwebhooks';
import { request, type Dispatcher } from 'undici';
import type { Config } from '../src/platform/config.js';
import { webhookTemplateOf } from '../src/db/integration-template.js';
import { isDuplicateKeyError, type DeliveryAttempt, type IntegrationDoc, type Models } from '../src/db/models.js';
import { renderWebhookRequest, TemplateRenderError } from '../src/domain/render-webhook-request.js';
import { isRetryableStatus, nextRetryDelayMs, parseRetryAfterMs } from '../src/domain/retry-delay.js';
import type { Logger } from '../src/platform/logger.js';
import type { ChathookMetrics } from '../src/platform/metrics.js';
import { findForbiddenTargetError } from '../src/platform/outbound-http.js';
import type { SecretBox } from '../src/platform/secrets.js';
import { USER_AGENT } from '../src/platform/version.js';
import { FailureType, httpStatusFailureType, type DeliverWebhookInput } from '../workflows/contract.js';

export type { DeliverWebhookInput };

export interface WebhookDeliveryDeps {
  models: Models;
  secretBox: SecretBox;
  config: Config;
  logger: Logger;
  dispatcher: Dispatcher;
  metrics: ChathookMetrics;
}

const MAX_ERROR_TEXT = 500;

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
    async deliverWebhookEvent(input: DeliverWebhookInput): Promise<{ statusCode: number }> {
      const { attempt: attemptNumber } = Context.current().info;
      const log = logger.child({ chatId: input.event.chatId, integrationId: input.integrationId, webhookId: input.deliveryId, attempt: attemptNumber });
      const at = new Date();
      const fail = async (error: string, options: { retry: boolean; statusCode?: number | null; durationMs?: number; retryAfterMs?: number; type: string }) => {
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
      let rendered;
      try {
        rendered = renderWebhookRequest(webhookTemplateOf(integration, deps.secretBox), input.event, { userAgent: USER_AGENT });
      } catch (error) {
        if (error instanceof TemplateRenderError) return fail(`the webhook template cannot be rendered: ${error.message}`, { retry: false, type: FailureType.TEMPLATE_ERROR });
        throw error;
      }
      const body = rendered.body ?? '';
      const signature = new Webhook(deps.secretBox.open(integration.signingSecretSealed)).sign(input.deliveryId, at, body);
      const headers = {
        ...rendered.headers,
        'webhook-id': input.deliveryId,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': signature,
      };

      const started = performance.now();
      let statusCode: number;
      let retryAfter: string | string[] | undefined;
      try {
        const response = await request(rendered.url, {
          method: rendered.method,
          headers,
          body: rendered.body,
          dispatcher: deps.dispatcher,
          headersTimeout: config.delivery.timeoutMs,
          bodyTimeout: config.delivery.timeoutMs,
          signal: AbortSignal.timeout(config.delivery.timeoutMs),
        });
        statusCode = response.statusCode;
        retryAfter = response.headers['retry-after'];
        await response.body.dump({ limit: 64 * 1024 });
      } catch (error) {
        const durationMs = performance.now() - started;
        const forbidden = findForbiddenTargetError(error);
        if (forbidden) return fail(forbidden.message, { retry: false, type: FailureType.FORBIDDEN_TARGET, durationMs });
        const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        return fail(`network error: ${reason}`, { retry: true, type: FailureType.NETWORK_ERROR, durationMs });
      }
      const durationMs = performance.now() - started;
      metrics.deliveryLatency.observe(durationMs / 1000);
      if (statusCode >= 200 && statusCode < 300) {
        await recordAttempt(input, { at, statusCode, error: null, durationMs: Math.round(durationMs) }, 'SUCCEEDED', attemptNumber);
        metrics.deliveryAttempts.inc({ outcome: 'succeeded' });
        metrics.deliveries.inc({ outcome: 'succeeded' });
        log.info({ statusCode, durationMs: Math.round(durationMs) }, 'webhook delivered');
        return { statusCode };
      }
      return fail(`the endpoint answered ${statusCode}`, {
        retry: isRetryableStatus(statusCode),
        statusCode,
        durationMs,
        retryAfterMs: parseRetryAfterMs(retryAfter, Date.now()),
        type: httpStatusFailureType(statusCode),
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
