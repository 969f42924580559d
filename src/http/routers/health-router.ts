import type { ChathookMetrics } from '../../platform/metrics.js';
import { countOpenChats, type ChatDeps } from '../../services/chats.js';
import { checkReadiness, type ReadinessTargets } from '../../services/readiness.js';
import { HealthSchema, ReadinessSchema, type Readiness } from '../response-schemas.js';
import { json, type ApiRoutes } from '../route.js';

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
        'Requires `Authorization: Bearer <METRICS_TOKEN>` when METRICS_TOKEN is set; open (and published without security) when it is not.',
      // The document describes the instance that serves it: an open scrape declares no auth.
      auth: deps.metricsTokenSet ? 'metricsToken' : 'none',
      responses: { 200: { description: 'Prometheus text format', contentType: 'text/plain' } },
    },
    async ({ res }) => {
      // Open chats are counted at scrape time: the read model is the one place that knows them all.
      deps.metrics.openChats.set(await countOpenChats(deps));
      res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
    },
  );
}
