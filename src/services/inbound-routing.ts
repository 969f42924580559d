/**
 * Inbound messages (MO): a carrier's callback on one of a tenant's connections is authenticated,
 * routed to the integration that claims the sender the contact wrote to, and handed to that
 * contact's chat workflow, which opens the chat if none is open (SPEC sections 3 and 6).
 */
import type { ConnectionDoc, IntegrationDoc, Models } from '../db/models.js';
import type { Channel } from '../domain/webhook-template.js';
import type { Logger } from '../platform/logger.js';
import { constantTimeEquals, type SecretBox } from '../platform/secrets.js';
import type { TemporalGateway } from '../temporal/gateway.js';
import { FailureType } from '../../workflows/contract.js';
import { findInboundReceipt } from '../db/inbound-receipts.js';
import { chatBacklog, chatUnavailable } from './chat-refusals.js';
import { AppError, unauthorized } from './errors.js';
import { claimantOf } from './sender-claimants.js';

export interface InboundRoutingDeps {
  models: Models;
  secretBox: SecretBox;
  gateway: TemporalGateway;
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
  connectionCode: string;
  /** The bearer token the carrier sent, if any. */
  carrierSecret: string | undefined;
  message: CarrierMessage;
}

export interface InboundReceipt {
  chatId: string;
  /** True when this (connection, messageId) was accepted before (a carrier retry): nothing new is delivered. */
  duplicate: boolean;
}

/** The connection the callback names; a connection with a carrier secret accepts only that secret. */
async function authenticatedConnectionOf(deps: InboundRoutingDeps, code: string, secret: string | undefined): Promise<ConnectionDoc> {
  const connection = await deps.models.Connection.findOne({ code }).lean();
  if (!connection) throw new AppError(404, 'NOT_FOUND', 'Connection not found');
  const sealed = connection.carrier.secretSealed;
  if (sealed && (!secret || !constantTimeEquals(secret, deps.secretBox.open(sealed)))) {
    throw unauthorized('Missing or wrong carrier secret');
  }
  return connection;
}

const noRoute = (channel: Channel, to: string) =>
  new AppError(422, 'NO_ROUTE', `No active integration or live campaign claims ${channel} sender ${to}`);

/** The active integration that claims `to` on the connection's channel, within the connection's tenant. */
async function routeOf(models: Models, connection: ConnectionDoc, to: string): Promise<IntegrationDoc> {
  const claimant = await claimantOf(models, connection.channel, to);
  if (!claimant || !claimant.claim.tenantId.equals(connection.tenantId)) throw noRoute(connection.channel, to);
  const integration = await models.Integration.findOne({ _id: claimant.integrationId, status: 'ACTIVE' }).lean();
  if (!integration) throw noRoute(connection.channel, to);
  return integration;
}

/**
 * Accepts one inbound message: answered once the chat has it (its delivery row written), so a
 * carrier that gets no answer retries, and the retry is found by its receipt and never
 * delivered twice. Bounded: a chat that does not answer in time is a 503, never a hang.
 */
export async function receiveInbound(deps: InboundRoutingDeps, callback: InboundCallback, log: Logger): Promise<InboundReceipt> {
  const connection = await authenticatedConnectionOf(deps, callback.connectionCode, callback.carrierSecret);
  const { message } = callback;
  // A carrier's retry within 7 days costs one find by _id, not a trip to Temporal, also after
  // its chat closed; a retry racing its first attempt is caught by the chat's own receipt insert.
  const receipt = await findInboundReceipt(deps.models, connection.code, message.messageId);
  if (receipt) {
    log.info({ chatId: receipt.chatId, duplicate: true }, 'inbound message already accepted');
    return { chatId: receipt.chatId, duplicate: true };
  }
  const integration = await routeOf(deps.models, connection, message.to);
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
  if ('rejected' in outcome) {
    if (outcome.rejected.type === FailureType.CHAT_BACKLOG) throw chatBacklog(outcome.rejected.message);
    // Nothing else is refused on purpose (a legacy chat that is closing is; it ends soon).
    log.warn({ integrationId, rejection: outcome.rejected.type }, 'inbound message refused by its chat');
    throw chatUnavailable('The chat could not take the message now; retry the callback');
  }
  if ('unavailable' in outcome) throw chatUnavailable('The message could not be handed to its chat; retry the callback');
  const { accepted } = outcome;
  log.info({ chatId: accepted.chatId, integrationId, duplicate: accepted.duplicate }, 'inbound message accepted');
  return { chatId: accepted.chatId, duplicate: accepted.duplicate };
}
