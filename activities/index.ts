import type { Dispatcher } from 'undici';
import type { Repositories } from '../src/db/repositories.js';
import type { Config } from '../src/platform/config.js';
import type { Logger } from '../src/platform/logger.js';
import type { ChathookMetrics } from '../src/platform/metrics.js';
import type { SecretBox } from '../src/platform/secrets.js';
import type { RouteCache } from '../src/platform/route-cache.js';
import { createCarrierSendActivities } from './carrier-send.js';
import { createChatOutboxActivities } from './chat-outbox.js';
import { createChatRecordActivities } from './chat-records.js';
import { createRecentPayloads } from './recent-payloads.js';
import { createIntegrationActivationActivities } from './integration-activation.js';
import { createWebhookAttemptActivities } from './webhook-attempt.js';

const CARRIER_CALL_TIMEOUT_MAX_MS = 10_000;

/** The repositories the activities write and read through. */
export type ActivityRepositories = Pick<
  Repositories,
  'integrations' | 'connections' | 'senders' | 'chats' | 'deliveries' | 'receipts' | 'replies'
>;

/**
 * What the activities need from the process: the long-lived clients the entry point opened
 * (src/bin/runtime.ts `Services` has them all), passed in rather than imported.
 */
export interface ActivityDeps {
  config: Config;
  logger: Logger;
  repositories: ActivityRepositories;
  secretBox: SecretBox;
  metrics: ChathookMetrics;
  /** The pooled, SSRF-guarded HTTP client for client webhooks and carriers. */
  dispatcher: Dispatcher;
  /** Tells an integration's other chats that its receiver answered again (the worker wires it to Temporal). */
  announceReceiverRecovered: (integrationId: string, fromWorkflowId: string) => void;
  /**
   * The process's routing cache (ROUTE_CACHE_TTL): a delivery's first attempt may read its
   * integration from it, and a carrier send its connection; every retry reads the integration fresh.
   */
  routeCache: RouteCache;
}

/**
 * The worker's activities, built from the shared clients so each activity gets them by closure
 * (one connection pool per worker, nothing global).
 */
export function createActivities(deps: ActivityDeps) {
  const { repositories } = deps;
  const recentPayloads = createRecentPayloads();
  return {
    ...createIntegrationActivationActivities(repositories),
    // A carrier call must end inside its activity's 15 s start-to-close (CARRIER_SEND_ACTIVITY_OPTIONS).
    ...createCarrierSendActivities({
      ...deps,
      ...repositories,
      timeoutMs: Math.min(deps.config.delivery.timeoutMs, CARRIER_CALL_TIMEOUT_MAX_MS),
    }),
    ...createChatRecordActivities(repositories),
    ...createChatOutboxActivities({ ...repositories, metrics: deps.metrics, recentPayloads }),
    ...createWebhookAttemptActivities({ ...deps, ...repositories, recentPayloads }),
  };
}

export type ChathookActivities = ReturnType<typeof createActivities>;
