import type { ChathookMetrics } from '../../platform/metrics.js';
import { AppError, ErrorCode } from '../../services/errors.js';
import { countOpenChats, type ChatDeps } from '../../services/chats.js';
import { checkReadiness, type ReadinessTargets } from '../../services/readiness.js';
import { HealthSchema, ReadinessSchema, type Readiness } from '../response-schemas.js';
import { errorReply, json, type ApiRoutes } from '../route.js';

export type { ReadinessTargets };

const TAG = 'Operations';

/** Liveness, readiness and the Prometheus scrape. */
/** `metricsTokenSet`: METRICS_TOKEN is configured, so the scrape is published (and guarded) as `metricsToken`. */
export function healthRoutes(
  api: ApiRoutes,
  deps: Pick<ChatDeps, 'chats'> & { readiness: ReadinessTargets; metrics: ChathookMetrics; metricsTokenSet: boolean },
): void {
  api.route(
    {
      method: 'get',
      path: '/healthz',
      tag: TAG,
      summary: 'Process up',
      auth: 'none',
      responses: { 200: json(HealthSchema, 'up') },
    },
    ({ res }) => {
      res.json({ status: 'ok' });
    },
  );

  api.route(
    {
      method: 'get',
      path: '/readyz',
      tag: TAG,
      summary: 'MongoDB and Temporal reachable',
      auth: 'none',
      responses: {
        200: json(ReadinessSchema, 'ready'),
        503: json(ReadinessSchema, 'not ready: the check that failed says why'),
      },
    },
    async ({ res }) => {
      const { ready, checks } = await checkReadiness(deps.readiness);
      res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not-ready', checks } satisfies Readiness);
    },
  );

  api.route(
    {
      method: 'get',
      path: '/metrics',
      tag: TAG,
      summary: 'Prometheus metrics',
      description:
        'Requires `Authorization: Bearer <METRICS_TOKEN>` when METRICS_TOKEN is set; when it is not, answers loopback clients only (127.0.0.0/8, ::1) and 403 FORBIDDEN to any other.',
      // The document describes the instance that serves it: an open scrape declares no auth.
      auth: deps.metricsTokenSet ? 'metricsToken' : 'none',
      responses: { 200: { description: 'Prometheus text format', contentType: 'text/plain' } },
      ...(deps.metricsTokenSet
        ? {}
        : { errors: [errorReply(ErrorCode.FORBIDDEN, 'METRICS_TOKEN is unset and the client is not on loopback')] }),
    },
    async ({ req, res }) => {
      // No token, no open scrape: an API listening beyond loopback shows its metrics to this host only.
      if (!deps.metricsTokenSet && !isLoopback(req.socket.remoteAddress))
        throw new AppError({
          code: ErrorCode.FORBIDDEN,
          message: '/metrics answers loopback clients only unless METRICS_TOKEN is set',
        });
      // Open chats are counted at scrape time: the read model is the one place that knows them all.
      deps.metrics.openChats.set(await countOpenChats(deps));
      res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
    },
  );
}

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6 (a dual-stack listener reports ::ffff:127.0.0.1). */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return v4.startsWith('127.') || address === '::1';
}
