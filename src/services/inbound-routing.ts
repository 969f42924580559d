/**
 * Inbound messages (MO): a carrier's callback on one of a tenant's connections is authenticated,
 * routed through that connection's claim of the sender the contact wrote to, and handed to that
 * contact's chat workflow, which opens the chat if none is open (SPEC sections 3 and 6).
 */
import { RouteKeys } from '../db/route-keys.js';
import type { ConnectionDoc, ConnectionRepository } from '../db/connections.js';
import type { IntegrationDoc, IntegrationRepository } from '../db/integrations.js';
import type { Channel } from '../domain/webhook-template.js';
import type { Logger } from '../platform/logger.js';
import { constantTimeEquals, hashToken, type SecretBox } from '../platform/secrets.js';
import type { TemporalGateway } from '../temporal/gateway.js';
import { chatUnavailable } from './chat-refusals.js';
import { AppError, ErrorCode, unauthorized } from './errors.js';
import type { RouteCache } from '../platform/route-cache.js';
import { connectionClaimantOf, type ClaimantDeps } from './sender-claimants.js';
import { errorOfRefusal } from './workflow-refusals.js';

export interface InboundRoutingDeps extends ClaimantDeps {
  connections: ConnectionRepository;
  integrations: IntegrationRepository;
  secretBox: SecretBox;
  gateway: TemporalGateway;
  /** Routing kept for ROUTE_CACHE_TTL (a cache of TTL 0 reads every time). */
  routeCache: RouteCache;
  /** The request's logger: an accepted or refused message is logged with its ids. */
  logger: Logger;
}

/** A carrier's inbound message, as its callback carries it (the contact's number without "+"). */
export interface CarrierMessage {
  messageId: string;
  from: string;
  to: string;
  text?: string | undefined;
  media?: { url: string; caption?: string | undefined } | undefined;
  timestamp?: string | undefined;
}

export interface InboundCallback {
  /** The connection whose carrier secret the callback carried (`authenticateCarrier`). */
  connection: ConnectionDoc;
  message: CarrierMessage;
}

export interface InboundReceipt {
  chatId: string;
  /** True when this (connection, messageId) was accepted before (a carrier retry): nothing new is delivered. */
  duplicate: boolean;
}

const MAX_SECRET_LENGTH = 512;
/** Compared against when the code is unknown, so an unknown code costs what a wrong secret does. */
const UNKNOWN_CONNECTION_SECRET = 'csk_unknown-connection';

/**
 * The connection a carrier callback names, if the bearer token is its carrier secret (SPEC
 * section 3). Every way of failing (no token, a wrong one, an unknown code, a connection stored
 * before secrets existed) is the same UNAUTHORIZED, so codes cannot be probed.
 */
export async function authenticateCarrier(
  deps: Pick<InboundRoutingDeps, 'connections' | 'secretBox' | 'routeCache'>,
  input: { code: string; secret: string | undefined },
): Promise<ConnectionDoc> {
  const { code, secret } = input;
  const refused = () => unauthorized('Missing or wrong carrier secret, or unknown connection code');
  if (!secret || secret.length > MAX_SECRET_LENGTH) throw refused();
  // Cached under the code *and* the secret presented: only a carrier that authenticated before
  // skips the read. A wrong secret, like an unknown code, always reads and compares, so a cached
  // connection answers a probe no faster than a code that does not exist.
  const authenticated = await deps.routeCache.lookup(
    RouteKeys.authenticatedConnection(code, hashToken(secret)),
    async () => {
      const connection = await deps.connections.findByCode(code);
      const sealed = connection?.carrier.secretSealed;
      const expected = sealed ? deps.secretBox.open(sealed) : UNKNOWN_CONNECTION_SECRET;
      if (!constantTimeEquals(secret, expected) || !connection || !sealed) throw refused();
      return connection;
    },
  );
  if (!authenticated) throw refused();
  return authenticated;
}

/** Names only what the caller sent: the connection's own channel and the `to` it posted. */
const noRoute = (channel: Channel, sender: string) =>
  new AppError({
    code: ErrorCode.NO_ROUTE,
    message: `No active integration or live campaign of this connection claims ${channel} sender ${sender}`,
  });

/**
 * The active integration that answers for our `sender` (the callback's `to`) through this connection's claim (SPEC
 * section 3).
 */
async function routeOf(deps: InboundRoutingDeps, connection: ConnectionDoc, sender: string): Promise<IntegrationDoc> {
  if (!connection.senders.includes(sender)) throw noRoute(connection.channel, sender);
  const claimant = await deps.routeCache.lookup(RouteKeys.connectionClaimant(connection.code, sender), () =>
    connectionClaimantOf(deps, { connection, sender }),
  );
  if (!claimant) throw noRoute(connection.channel, sender);
  const integration = await deps.routeCache.lookup(
    RouteKeys.activeIntegration(claimant.integrationId.toHexString()),
    () => deps.integrations.findActiveForTenant(claimant.integrationId, connection.tenantId),
  );
  // A cached integration was found for this tenant's claim; checked again, as a fresh read would filter.
  if (!integration || !integration.tenantId.equals(connection.tenantId) || integration.status !== 'ACTIVE')
    throw noRoute(connection.channel, sender);
  return integration;
}

/**
 * Accepts one inbound message: answered once the chat has it (its delivery row written), so a
 * carrier that gets no answer retries, and the retry is found by its receipt and never
 * delivered twice. Bounded: a chat that does not answer in time is CHAT_UNAVAILABLE, never a hang.
 */
export async function receiveInbound(deps: InboundRoutingDeps, callback: InboundCallback): Promise<InboundReceipt> {
  const log = deps.logger;
  const { connection, message } = callback;
  // "Duplicate" is the receipt's to say, and it is written by the chat's accept activity, so every
  // callback goes to the chat: one rule, whichever run or chat the update reaches (README,
  // "Hand-overs, duplicates and versions").
  const integration = await routeOf(deps, connection, message.to);
  const integrationId = integration._id.toHexString();
  const receivedAt = new Date();
  const outcome = await deps.gateway.deliverInbound(
    {
      tenantId: connection.tenantId.toHexString(),
      integrationId,
      contact: message.from,
      channel: connection.channel,
      connectionCode: connection.code,
      sender: message.to,
    },
    {
      messageId: message.messageId,
      connectionCode: connection.code,
      sender: message.to,
      channel: connection.channel,
      text: message.text ?? null,
      media: message.media ? { url: message.media.url, caption: message.media.caption ?? null } : null,
      timestamp: (message.timestamp ? new Date(message.timestamp) : receivedAt).toISOString(),
    },
  );
  if (outcome.kind === 'REJECTED') {
    throw errorOfRefusal('inbound', outcome.rejection, () => {
      log.warn({ integrationId, rejection: outcome.rejection.type }, 'inbound message refused by its chat');
      return chatUnavailable('The chat could not take the message now; retry the callback');
    });
  }
  if (outcome.kind === 'UNAVAILABLE')
    throw chatUnavailable('The message could not be handed to its chat; retry the callback');
  const { accepted } = outcome;
  log.info({ chatId: accepted.chatId, integrationId, duplicate: accepted.duplicate }, 'inbound message accepted');
  return { chatId: accepted.chatId, duplicate: accepted.duplicate };
}
