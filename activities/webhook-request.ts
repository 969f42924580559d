import { performance } from 'node:perf_hooks';
import { Webhook } from 'standardwebhooks';
import { request, type Dispatcher } from 'undici';
import { signingSecretsOf, webhookTemplateOf } from '../src/db/integration-template.js';
import type { IntegrationDoc } from '../src/db/integrations.js';
import { renderWebhookRequest, TemplateRenderError } from '../src/domain/render-webhook-request.js';
import { isRetryableStatus, parseRetryAfterMs } from '../src/domain/retry-delay.js';
import type { ChatEvent } from '../src/domain/webhook-template.js';
import type { ChathookMetrics } from '../src/platform/metrics.js';
import { findForbiddenTargetError } from '../src/platform/outbound-http.js';
import type { SecretBox } from '../src/platform/secrets.js';
import { USER_AGENT } from '../src/platform/version.js';
import { FailureType, httpStatusFailureType } from '../workflows/contract/failures.js';

/** Error texts are kept short in records and failures. */
export const MAX_ERROR_TEXT = 500;

/** How one signed request went: what the delivery records and decides from. */
export type WebhookExchange =
  | { kind: 'DELIVERED'; statusCode: number; durationMs: number }
  | {
      kind: 'RETRY';
      type: string;
      error: string;
      statusCode: number | null;
      durationMs: number;
      retryAfterMs: number | undefined;
    }
  | { kind: 'FAILED'; type: string; error: string; statusCode: number | null; durationMs: number };

export interface WebhookRequestDeps {
  secretBox: SecretBox;
  dispatcher: Dispatcher;
  metrics: ChathookMetrics;
  timeoutMs: number;
}

/**
 * Renders the chat event with the integration's template, signs it (Standard Webhooks:
 * `webhook-id` = the delivery id, `webhook-timestamp` = `at`, one signature per secret in force
 * at `at`) and POSTs it once, bounded by the delivery timeout. Never throws for what the
 * receiver or the network did: network errors, timeouts, 408, 425, 429 and 5xx are RETRY; other
 * 4xx, a refused target and a template that cannot be rendered are FAILED.
 */
export async function sendSignedWebhook(
  deps: WebhookRequestDeps,
  input: { integration: IntegrationDoc; event: ChatEvent; deliveryId: string; at: Date },
): Promise<WebhookExchange> {
  let rendered;
  try {
    rendered = renderWebhookRequest(webhookTemplateOf(input.integration, deps.secretBox), input.event, {
      userAgent: USER_AGENT,
    });
  } catch (error) {
    if (!(error instanceof TemplateRenderError)) throw error;
    return {
      kind: 'FAILED',
      type: FailureType.TEMPLATE_ERROR,
      error: `the webhook template cannot be rendered: ${error.message}`,
      statusCode: null,
      durationMs: 0,
    };
  }
  const body = rendered.body ?? '';
  // Standard Webhooks lets `webhook-signature` list several signatures, space-separated: during a
  // rotation's overlap a receiver holding either secret finds one that verifies.
  const signature = signingSecretsOf(input.integration, deps.secretBox, input.at)
    .map((secret) => new Webhook(secret).sign(input.deliveryId, input.at, body))
    .join(' ');
  const headers = {
    ...rendered.headers,
    'webhook-id': input.deliveryId,
    'webhook-timestamp': String(Math.floor(input.at.getTime() / 1000)),
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
      headersTimeout: deps.timeoutMs,
      bodyTimeout: deps.timeoutMs,
      signal: AbortSignal.timeout(deps.timeoutMs),
    });
    statusCode = response.statusCode;
    retryAfter = response.headers['retry-after'];
    await response.body.dump({ limit: 64 * 1024 });
  } catch (error) {
    const durationMs = Math.round(performance.now() - started);
    const forbidden = findForbiddenTargetError(error);
    if (forbidden)
      return {
        kind: 'FAILED',
        type: FailureType.FORBIDDEN_TARGET,
        error: forbidden.message.slice(0, MAX_ERROR_TEXT),
        statusCode: null,
        durationMs,
      };
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return {
      kind: 'RETRY',
      type: FailureType.NETWORK_ERROR,
      error: `network error: ${reason}`.slice(0, MAX_ERROR_TEXT),
      statusCode: null,
      durationMs,
      retryAfterMs: undefined,
    };
  }
  const elapsedMs = performance.now() - started;
  deps.metrics.deliveryLatency.observe(elapsedMs / 1000);
  const durationMs = Math.round(elapsedMs);
  if (statusCode >= 200 && statusCode < 300) return { kind: 'DELIVERED', statusCode, durationMs };
  const error = `the endpoint answered ${statusCode}`;
  const type = httpStatusFailureType(statusCode);
  if (!isRetryableStatus(statusCode)) return { kind: 'FAILED', type, error, statusCode, durationMs };
  return {
    kind: 'RETRY',
    type,
    error,
    statusCode,
    durationMs,
    retryAfterMs: parseRetryAfterMs(retryAfter, Date.now()),
  };
}
