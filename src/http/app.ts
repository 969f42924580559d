import express, { type Express } from 'express';
import { pinoHttp } from 'pino-http';
import type { Config } from '../platform/config.js';
import type { Repositories } from '../db/repositories.js';
import { redactedRequestOf, type Logger } from '../platform/logger.js';
import type { SecretBox } from '../platform/secrets.js';
import type { ChathookMetrics } from '../platform/metrics.js';
import { requireAdmin, requireMetricsToken, requireTenant } from './auth.js';
import { replayRateLimited, responseWebhookRateLimited, tenantKeyRateLimited } from './rate-limits.js';
import { ApiRoutes } from './route.js';
import { connectionsRoutes } from './routers/connections-router.js';
import { errorMiddleware, unmatchedRoute } from './error-middleware.js';
import { healthRoutes, type ReadinessTargets } from './routers/health-router.js';
import { integrationsRoutes } from './routers/integrations-router.js';
import { reservationsRoutes } from './routers/reservations-router.js';
import { campaignsRoutes } from './routers/campaigns-router.js';
import { integrationDetailsRoutes } from './routers/integration-details-router.js';
import { integrationLifecycleRoutes } from './routers/integration-lifecycle-router.js';
import type { RouteCache } from '../platform/route-cache.js';
import { responseWebhookRoutes } from './routers/response-webhook-router.js';
import { carriersRoutes, requireCarrier } from './routers/carriers-router.js';
import { chatsAndDeliveriesRoutes } from './routers/chats-and-deliveries-router.js';
import type { TemporalGateway } from '../services/temporal-gateway.js';
import { tenantsRoutes } from './routers/tenants-router.js';
import { openApiRoutes } from './routers/openapi-router.js';
import { consoleRouter } from './routers/console-router.js';
import { previewRoutes } from './routers/preview-router.js';
import { securityHeaders } from './security-headers.js';

export interface AppDeps {
  config: Config;
  /** Handed on to the services, which alone call them. */
  repositories: Repositories;
  secretBox: SecretBox;
  logger: Logger;
  readiness: ReadinessTargets;
  /** The one way to Temporal, built at start (src/bin) and handed to the services. */
  gateway: TemporalGateway;
  metrics: ChathookMetrics;
  /** The process's routing cache (src/bin/runtime.ts), shared with the worker of the same process. */
  routeCache: RouteCache;
  /** How long start/stop wait for their workflow before answering 503. */
  lifecycleWaitMs: number;
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // First, so every answer carries them: pages, JSON, errors and 404s alike (security-headers.ts).
  app.use(securityHeaders({ publicBaseUrl: deps.config.publicBaseUrl }));
  app.use(
    pinoHttp({
      logger: deps.logger,
      autoLogging: { ignore: (req) => req.url === '/healthz' },
      // Headers are redacted by the logger (REDACTED_PATHS); query values here: the path and keys stay.
      serializers: { req: redactedRequestOf },
      customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
    }),
  );
  app.use((req, res, next) => {
    res.once('finish', () => {
      // The matched route pattern, never the raw path: ids and contacts would explode the label set.
      const route = req.route ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      deps.metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  });
  // Every operation is declared once on `api` (handler, validation and its OpenAPI entry);
  // guards authenticate every caller before its body is read (route.ts).
  // Routing read by MOs and MTs, kept ROUTE_CACHE_TTL; any change made through this process's
  // management API (every write is a non-GET under /v1) clears it once answered.
  const { routeCache, gateway, secretBox, repositories } = deps;
  const {
    tenants,
    connections,
    senders,
    reservations,
    integrations,
    campaigns,
    chats,
    deliveries,
    replies,
    idempotency,
  } = repositories;
  app.use('/v1', (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') res.once('finish', () => routeCache.clear());
    next();
  });
  const api = new ApiRoutes({
    // Rate limits count callers once they are known (RATE_LIMIT_*_PER_MINUTE; off when unset).
    tenantKey: tenantKeyRateLimited(requireTenant({ tenants }), deps.config.rateLimits.managementPerMinute),
    responseToken: responseWebhookRateLimited(
      { integrations, routeCache },
      deps.config.rateLimits.responseWebhookPerMinute,
    ),
    rootKey: requireAdmin(deps.config.adminKey),
    carrierSecret: requireCarrier({ connections, secretBox, routeCache }),
    metricsToken: requireMetricsToken(deps.config.metricsToken),
  });
  healthRoutes(api, {
    readiness: deps.readiness,
    chats,
    metrics: deps.metrics,
    metricsTokenSet: deps.config.metricsToken !== undefined,
  });
  app.use(openApiRoutes(api));
  app.use(consoleRouter());
  app.use(api.router);
  const allowPrivateTargets = deps.config.webhookAllowPrivate;
  const { quotas } = deps.config;
  tenantsRoutes(api, { tenants, quotas });
  responseWebhookRoutes(api, { integrations, senders, campaigns, idempotency, gateway, routeCache });
  carriersRoutes(api, { connections, integrations, senders, campaigns, secretBox, gateway, routeCache });
  connectionsRoutes(api, { connections, tenants, senders, integrations, secretBox, quotas, allowPrivateTargets });
  reservationsRoutes(api, { reservations, connections, quotas, tenants });
  integrationsRoutes(api, { integrations, connections, secretBox, quotas, tenants, allowPrivateTargets });
  previewRoutes(api);
  integrationLifecycleRoutes(api, { integrations, campaigns, connections, gateway, waitMs: deps.lifecycleWaitMs });
  integrationDetailsRoutes(api, {
    integrations,
    connections,
    secretBox,
    publicBaseUrl: deps.config.publicBaseUrl,
    signingSecretOverlapMs: deps.config.signingSecretOverlapMs,
  });
  campaignsRoutes(api, { campaigns, integrations, connections, senders, quotas, tenants });
  chatsAndDeliveriesRoutes(api, {
    chats,
    deliveries,
    integrations,
    replies,
    gateway,
    limitReplay: replayRateLimited({
      perDelivery: deps.config.rateLimits.replaysPerDeliveryPerMinute,
      perIntegration: deps.config.rateLimits.replaysPerIntegrationPerMinute,
    }),
  });
  app.use(unmatchedRoute(api));
  app.use(errorMiddleware);
  return app;
}
