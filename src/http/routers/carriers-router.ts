import type { Client } from '@temporalio/client';
import { Router } from 'express';
import type { Config } from '../../platform/config.js';
import type { ConnectionDoc, IntegrationDoc, Models } from '../../db/models.js';
import { AppError, unauthorized } from '../../services/errors.js';
import type { Logger } from '../../platform/logger.js';
import { constantTimeEquals, type SecretBox } from '../../platform/secrets.js';
import { deliverInboundToChat } from '../../temporal/chat-client.js';
import { bearerTokenOf } from '../auth.js';
import { CarrierInboundSchema } from '../schemas.js';
import { parseInput } from '../validation.js';

const noRoute = (connection: ConnectionDoc, to: string) =>
  new AppError(422, 'NO_ROUTE', `No active integration or live campaign claims ${connection.channel} sender ${to}`);

/** The integration an inbound message on `to` belongs to: through its claim, within the tenant. */
async function routeOf(models: Models, connection: ConnectionDoc, to: string): Promise<IntegrationDoc> {
  const claim = await models.SenderClaim.findOne({ channel: connection.channel, sender: to }).lean();
  if (!claim || !claim.tenantId.equals(connection.tenantId)) throw noRoute(connection, to);
  let integrationId = claim.holderId;
  if (claim.holderKind === 'CAMPAIGN') {
    const campaign = await models.Campaign.findOne({ _id: claim.holderId, status: 'LIVE' }, { integrationId: 1 }).lean();
    if (!campaign) throw noRoute(connection, to);
    integrationId = campaign.integrationId;
  }
  const integration = await models.Integration.findOne({ _id: integrationId, status: 'ACTIVE' }).lean();
  if (!integration) throw noRoute(connection, to);
  return integration as IntegrationDoc;
}

/** Carrier inbound (MO) callbacks: `202 {chatId}` once the chat workflow has the message. */
export function carriersRouter(deps: { models: Models; secretBox: SecretBox; temporal: Client; config: Config; logger: Logger }): Router {
  const { models } = deps;
  const router = Router();
  router.post('/carriers/:connectionCode/inbound', async (req, res) => {
    const connection = await models.Connection.findOne({ code: req.params.connectionCode }).lean();
    if (!connection) throw new AppError(404, 'NOT_FOUND', 'Connection not found');
    if (connection.carrier.secretSealed) {
      const token = bearerTokenOf(req.headers.authorization);
      if (!token || !constantTimeEquals(token, deps.secretBox.open(connection.carrier.secretSealed))) {
        throw unauthorized('Missing or wrong carrier secret');
      }
    }
    const message = parseInput(CarrierInboundSchema, req.body);
    const integration = await routeOf(models, connection, message.to);
    const receivedAt = new Date();
    const accepted = await deliverInboundToChat(
      deps.temporal,
      deps.config,
      {
        tenantId: connection.tenantId.toHexString(),
        integrationId: integration._id.toHexString(),
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
        timestamp: message.timestamp ? new Date(message.timestamp).toISOString() : receivedAt.toISOString(),
      },
    ).catch((error: unknown) => {
      req.log.error({ err: error, integrationId: integration._id.toHexString() }, 'inbound message not accepted by its chat');
      throw new AppError(503, 'CHAT_UNAVAILABLE', 'The message could not be handed to its chat; retry the callback');
    });
    req.log.info({ chatId: accepted.chatId, integrationId: integration._id.toHexString(), duplicate: accepted.duplicate }, 'inbound message accepted');
    res.status(202).json({ chatId: accepted.chatId, ...(accepted.duplicate ? { duplicate: true } : {}) });
  });
  return router;
}
