/**
 * Per-tenant rate limits (SPEC section 2 "Limits", issue 11): the management API per tenant key,
 * the response webhook per integration and replays per delivery and per integration, each a number
 * of calls per minute, on by default at rates no normal client meets, off when set empty. A call over the limit answers `429 RATE_LIMITED` with `Retry-After` (seconds to the
 * end of the window).
 *
 * The counters live in this process (express-rate-limit's memory store): with several API
 * processes behind a balancer each counts on its own, so a tenant gets up to N times the limit.
 * A deployment that needs one limit across processes gives each limiter a shared store
 * (`rate-limit-redis`, `rate-limit-mongo`, …) through the `store` option.
 */
import type { Request, RequestHandler, Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import { AppError, ErrorCode, unauthorized } from '../services/errors.js';
import { integrationOfResponseToken, type ReplyRoutingDeps } from '../services/reply-routing.js';
import { bearerTokenOf } from './auth.js';

const WINDOW_MS = 60_000;

/**
 * RATE_LIMITED as documented on every operation a limit can apply to (the document is the same whether limits are on or
 * not).
 */
export const RATE_LIMITED_MEANING =
  'more calls this minute than the operator allows (RATE_LIMIT_MANAGEMENT_PER_MINUTE per tenant key, RATE_LIMIT_RESPONSE_WEBHOOK_PER_MINUTE per integration, RATE_LIMIT_REPLAYS_PER_DELIVERY_PER_MINUTE and RATE_LIMIT_REPLAYS_PER_INTEGRATION_PER_MINUTE on replays); retry after Retry-After seconds';

/** The key a request is counted under, set by the guard that resolved the caller. */
const keyOf = (res: Response) => res.locals['rateLimitKey'] as string;

/** One fixed-window counter per key. Keys are tenant and integration ids, never IP addresses. */
function limiterOf(perMinute: number, scope: string): RequestHandler {
  return rateLimit({
    windowMs: WINDOW_MS,
    limit: perMinute,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (_req, res) => keyOf(res),
    handler: (_req, res, next) => {
      const retryAfterSeconds = Number(res.getHeader('Retry-After') ?? Math.ceil(WINDOW_MS / 1000));
      next(
        new AppError({
          code: ErrorCode.RATE_LIMITED,
          message: `More than ${perMinute} calls a minute for this ${scope}; retry after ${retryAfterSeconds} s`,
          retryAfterSeconds,
        }),
      );
    },
  });
}

/** Runs an async guard, then `then` unless the guard answered or failed. */
function followedBy(
  guard: RequestHandler,
  then: (req: Request, res: Response, next: (error?: unknown) => void) => unknown,
): RequestHandler {
  return (req, res, next) => {
    Promise.resolve(
      guard(req, res, (error?: unknown) => {
        if (error !== undefined) next(error);
        else Promise.resolve(then(req, res, next)).catch(next);
      }),
    ).catch(next);
  };
}

/**
 * The tenant-key guard, then a count per tenant: only calls that authenticated are counted, so a
 * stranger cannot use up a tenant's allowance. Without a limit the guard is returned as it is.
 */
export function tenantKeyRateLimited(requireTenant: RequestHandler, perMinute: number | undefined): RequestHandler {
  if (perMinute === undefined) return requireTenant;
  const limiter = limiterOf(perMinute, 'tenant');
  return followedBy(requireTenant, (req, res, next) => {
    res.locals['rateLimitKey'] = `tenant:${req.tenantId}`;
    return limiter(req, res, next);
  });
}

/**
 * The response-token guard: a missing or unknown token answers `401` before the body is read
 * (the reply service checks again that the token is this integration's, `403` otherwise). With a
 * limit, calls are then counted per integration the token belongs to (one indexed read, cached):
 * a stranger's calls are refused unread and never use up an integration's allowance.
 */
export function responseWebhookRateLimited(
  deps: Pick<ReplyRoutingDeps, 'integrations' | 'routeCache'>,
  perMinute: number | undefined,
): RequestHandler {
  const limiter = perMinute === undefined ? undefined : limiterOf(perMinute, 'integration');
  return async (req, res, next) => {
    try {
      const token = bearerTokenOf(req.headers.authorization);
      const integration = token && token.length <= 512 ? await integrationOfResponseToken(deps, { token }) : null;
      if (!integration) throw unauthorized('Missing or unknown response token');
      if (!limiter) {
        next();
        return;
      }
      res.locals['rateLimitKey'] = `integration:${integration._id.toHexString()}`;
      await limiter(req, res, next);
    } catch (error) {
      next(error);
    }
  };
}

export type ReplayRateLimit = (
  req: Request,
  res: Response,
  keys: { tenantId: string; integrationId: string; deliveryId: string },
) => Promise<void>;

/**
 * Replays of a delivery (issue "One tenant cannot slow another"): counted per delivery and per
 * integration, each under its tenant, before the replay service looks anything up. A call over
 * either limit answers `429 RATE_LIMITED` with `Retry-After`. Returns undefined when both are off.
 */
export function replayRateLimited(limits: {
  perDelivery: number | undefined;
  perIntegration: number | undefined;
}): ReplayRateLimit | undefined {
  const perDelivery = limits.perDelivery === undefined ? undefined : limiterOf(limits.perDelivery, 'delivery');
  const perIntegration =
    limits.perIntegration === undefined ? undefined : limiterOf(limits.perIntegration, 'integration');
  if (!perDelivery && !perIntegration) return undefined;
  const run = (limiter: RequestHandler, req: Request, res: Response, key: string) =>
    new Promise<void>((resolve, reject) => {
      res.locals['rateLimitKey'] = key;
      Promise.resolve(
        limiter(req, res, (error?: unknown) => (error === undefined ? resolve() : reject(error as Error))),
      ).catch(reject);
    });
  return async (req, res, { tenantId, integrationId, deliveryId }) => {
    if (perIntegration) await run(perIntegration, req, res, `replay:${tenantId}:${integrationId}`);
    if (perDelivery) await run(perDelivery, req, res, `replay:${tenantId}:${integrationId}:${deliveryId}`);
  };
}
