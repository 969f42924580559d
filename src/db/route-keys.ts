/**
 * The route cache's keys (src/platform/route-cache.ts), one per cached look-up: the key's text
 * and the type of what it holds are written here once, so two look-ups cannot share a key by
 * accident or read each other's entries. What each keeps, and why a stale entry is safe, is
 * said at its caller.
 */
import type { Channel } from '../domain/webhook-template.js';
import { routeKey, type RouteKey } from '../platform/route-cache.js';
import type { ConnectionDoc } from './connections.js';
import type { IntegrationDoc } from './integrations.js';
import type { SenderClaimant } from './senders.js';

export const RouteKeys = {
  /** A connection whose carrier secret authenticated a callback, under the code and that secret's hash. */
  authenticatedConnection: (code: string, secretHash: string): RouteKey<ConnectionDoc> =>
    routeKey(`authenticated-connection:${code}:${secretHash}`),
  /** A connection by its code, for a carrier send. */
  connection: (code: string): RouteKey<ConnectionDoc> => routeKey(`connection:${code}`),
  /** Who answers an MO to `sender` arriving on connection `code`. */
  connectionClaimant: (code: string, sender: string): RouteKey<SenderClaimant> =>
    routeKey(`connection-claimant:${code}:${sender}`),
  /** The claim that lets an integration reply from `sender` on `channel`. */
  integrationClaimant: (integrationId: string, channel: Channel, sender: string): RouteKey<SenderClaimant> =>
    routeKey(`integration-claimant:${integrationId}:${channel}:${sender}`),
  /** An integration that routes MOs: only an ACTIVE one is kept. */
  activeIntegration: (integrationId: string): RouteKey<IntegrationDoc> =>
    routeKey(`active-integration:${integrationId}`),
  /** An integration as a first webhook attempt renders it, whatever its status. */
  integration: (integrationId: string): RouteKey<IntegrationDoc> => routeKey(`integration:${integrationId}`),
  /** The integration a response token names, under the token's hash. */
  responseToken: (tokenHash: string): RouteKey<IntegrationDoc> => routeKey(`response-token:${tokenHash}`),
} as const;
