import { Router, type RequestHandler } from 'express';
import type { IntegrationDoc, Models } from '../db/models.js';
import { MtEventSchema } from '../domain/mt-event.js';
import { AppError, conflict, unauthorized } from '../errors.js';
import { hashToken } from '../secrets.js';
import { bearerTokenOf } from './auth.js';
import { parseInput } from './validation.js';

declare module 'express-serve-static-core' {
  interface Request {
    responseIntegration?: IntegrationDoc;
  }
}

/** Response tokens, not tenant keys, guard the response webhook: another integration's token is a 403. */
export function requireResponseToken(models: Models): RequestHandler<{ integrationId: string; chatIdentifier: string }> {
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

export function responseWebhookRouter(models: Models): Router {
  const router = Router();
  const path = '/integrations/live-chat/:integrationId/chats/:chatIdentifier/events';
  router.post(path, requireResponseToken(models), async (req, res) => {
    const integration = req.responseIntegration!;
    const event = parseInput(MtEventSchema, req.body);
    if (integration.status !== 'ACTIVE') throw conflict('INTEGRATION_INACTIVE', 'The integration is not active');
    const chat = await models.Chat.findOne({ integrationId: integration._id, contact: req.params.chatIdentifier, status: 'OPEN' }).lean();
    if (!chat) {
      throw new AppError(404, 'CHAT_NOT_FOUND', `No open chat with ${req.params.chatIdentifier}: the contact must write in first`);
    }
    res.status(202).json({ chatId: chat.chatId, type: event.type });
  });
  return router;
}
