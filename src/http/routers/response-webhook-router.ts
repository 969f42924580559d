import type { Client } from '@temporalio/client';
import { createHash } from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import type { IntegrationDoc, Models } from '../../db/models.js';
import { isDuplicateKeyError } from '../../db/models.js';
import { MtEventSchema, type MtEvent } from '../../domain/mt-event.js';
import { AppError, conflict, unauthorized } from '../../services/errors.js';
import { hashToken } from '../../platform/secrets.js';
import { sendReplyToChat } from '../../temporal/chat-client.js';
import type { ReplyRequest } from '../../../workflows/chat-messages.js';
import { bearerTokenOf } from '../auth.js';
import { parseInput } from '../validation.js';

declare module 'express-serve-static-core' {
  interface Request {
    responseIntegration?: IntegrationDoc;
  }
}

type Params = { integrationId: string; chatIdentifier: string };

/** Response tokens, not tenant keys, guard the response webhook: another integration's token is a 403. */
export function requireResponseToken(models: Models): RequestHandler<Params> {
  return async (req, _res, next) => {
    const token = bearerTokenOf(req.headers.authorization);
    if (!token || token.length > 512) throw unauthorized('Missing or unknown response token');
    const integration = await models.Integration.findOne({ responseTokenHash: hashToken(token) }).lean();
    if (!integration) throw unauthorized('Missing or unknown response token');
    if (integration._id.toHexString() !== req.params.integrationId) {
      throw new AppError(403, 'FORBIDDEN', 'This response token belongs to another integration');
    }
    req.responseIntegration = integration as IntegrationDoc;
    next();
  };
}

const unknownSender = (message: string) => new AppError(422, 'UNKNOWN_SENDER', message);

/**
 * The reply's route/connection/sender must be claimed for this integration right now: by one
 * of its active connections, or by a live campaign linked to it (chatbot mode).
 */
async function replyRequestOf(models: Models, integration: IntegrationDoc, event: MtEvent): Promise<ReplyRequest> {
  if (event.type === 'END') return { type: 'END' };
  const channel = event.channel;
  const from = channel.type === 'SMS' ? channel.route : channel.sender;
  const claim = await models.SenderClaim.findOne({ channel: channel.type, sender: from }).lean();
  const describe = channel.type === 'SMS' ? `route ${from} on connection ${channel.connection}` : `WhatsApp sender ${from}`;
  if (!claim) throw unknownSender(`${describe} is not an active connection of this integration`);
  let connectionCode: string | undefined;
  if (claim.holderKind === 'INTEGRATION' && claim.holderId.equals(integration._id)) {
    connectionCode = claim.connectionCode;
  } else if (claim.holderKind === 'CAMPAIGN') {
    const campaign = await models.Campaign.findOne({ _id: claim.holderId, integrationId: integration._id, status: 'LIVE' }, { _id: 1 }).lean();
    if (campaign && channel.type === 'SMS') connectionCode = channel.connection;
    else if (campaign) connectionCode = '';
  }
  if (connectionCode === undefined) throw unknownSender(`${describe} is not an active connection of this integration`);
  if (channel.type === 'SMS' && connectionCode !== channel.connection) {
    throw unknownSender(`${describe}: route ${from} is not a sender of connection ${channel.connection}`);
  }
  return { type: 'MESSAGE', channel: channel.type, connectionCode, from, text: event.msg };
}

const STATUS_OF_REJECTION: Record<string, number> = { CHAT_NOT_FOUND: 404, WINDOW_CLOSED: 409, UNKNOWN_SENDER: 422 };

async function answerOf(deps: { models: Models; temporal: Client }, integration: IntegrationDoc, contact: string, event: MtEvent, updateId: string | undefined) {
  const request = await replyRequestOf(deps.models, integration, event);
  const outcome = await sendReplyToChat(deps.temporal, integration._id.toHexString(), contact, request, updateId);
  if ('accepted' in outcome) return { status: 202, body: { eventId: outcome.accepted.eventId, chatId: outcome.accepted.chatId } };
  if ('noChat' in outcome) {
    return { status: 404, body: { error: { code: 'CHAT_NOT_FOUND', message: `No open chat with ${contact}: the contact must write in first` } } };
  }
  const code = outcome.rejected.type ?? 'REJECTED';
  const status = STATUS_OF_REJECTION[code];
  if (status === undefined) throw new AppError(503, 'CHAT_UNAVAILABLE', 'The chat could not take the event; retry');
  return { status, body: { error: { code, message: outcome.rejected.message } } };
}

export function responseWebhookRouter(deps: { models: Models; temporal: Client }): Router {
  const { models } = deps;
  const router = Router();
  const path = '/integrations/live-chat/:integrationId/chats/:chatIdentifier/events';
  router.post(path, requireResponseToken(models), async (req, res) => {
    const integration = req.responseIntegration!;
    const event = parseInput(MtEventSchema, req.body);
    if (integration.status !== 'ACTIVE') throw conflict('INTEGRATION_INACTIVE', 'The integration is not active');
    const contact = req.params.chatIdentifier;
    if (!/^\d{5,15}$/.test(contact)) {
      throw new AppError(404, 'CHAT_NOT_FOUND', `No open chat with ${contact}: the contact must write in first`);
    }
    const key = req.get('idempotency-key');
    if (key === undefined) {
      const answer = await answerOf(deps, integration, contact, event, undefined);
      res.status(answer.status).json(answer.body);
      return;
    }
    if (key.length < 1 || key.length > 255) throw new AppError(400, 'VALIDATION_ERROR', 'Idempotency-Key must be 1–255 characters');
    const requestHash = createHash('sha256').update(JSON.stringify({ contact, event })).digest('hex');
    const replay = async () => {
      const stored = await models.IdempotencyRecord.findOne({ integrationId: integration._id, key }).lean();
      if (!stored) return false;
      if (stored.requestHash !== requestHash) {
        throw new AppError(422, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used for a different request');
      }
      res.status(stored.status).json(stored.body);
      return true;
    };
    if (await replay()) return;
    // The update id makes Temporal itself ignore a second send of the same key within the chat run.
    const updateId = `mt-${integration._id.toHexString()}-${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
    const answer = await answerOf(deps, integration, contact, event, updateId);
    try {
      await models.IdempotencyRecord.create({ integrationId: integration._id, key, requestHash, status: answer.status, body: answer.body, createdAt: new Date() });
    } catch (error) {
      if (isDuplicateKeyError(error) && (await replay())) return;
      throw error;
    }
    res.status(answer.status).json(answer.body);
  });
  return router;
}
