import { Router, type Request } from 'express';
import { z } from 'zod';
import type { Models } from '../../db/models.js';
import { MT_RESPONSES, MtEndSchema, SmsMtMessageSchema, WhatsAppMtMessageSchema } from '../../domain/mt-event.js';
import { buildTryOutCurl } from '../../domain/try-out-curl.js';
import { AppError } from '../../services/errors.js';
import { generateResponseToken, hashToken, type SecretBox } from '../../platform/secrets.js';
import { tenantIdOf } from '../auth.js';
import { findIntegration } from './integrations-router.js';
import { TryOutSchema } from '../schemas.js';
import { parseInput } from '../validation.js';

/** The response webhook of one integration; `{chatIdentifier}` is the contact's number. */
export const responseEndpointPath = (integrationId: string, chatIdentifier = '{chatIdentifier}') =>
  `/integrations/live-chat/${integrationId}/chats/${chatIdentifier}/events`;

const BODY_SCHEMAS = {
  SMS: z.toJSONSchema(SmsMtMessageSchema),
  WHATSAPP: z.toJSONSchema(WhatsAppMtMessageSchema),
  END: z.toJSONSchema(MtEndSchema),
};

export function integrationDetailsRouter(models: Models, secretBox: SecretBox, publicBaseUrl: string | undefined): Router {
  const router = Router();
  // Without PUBLIC_BASE_URL the caller's own view of this server is the best guess.
  const baseUrlOf = (req: Request) => publicBaseUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;

  router.get('/v1/integrations/:id/api-details', async (req, res) => {
    const integration = await findIntegration(models, tenantIdOf(req), req.params.id);
    const responseToken = secretBox.open(integration.responseTokenSealed);
    res.json({
      endpoint: { method: 'POST', url: `${baseUrlOf(req)}${responseEndpointPath(integration._id.toHexString())}` },
      headers: [
        { name: 'Authorization', value: `Bearer ${responseToken}`, required: true, description: "the integration's response token" },
        { name: 'Content-Type', value: 'application/json', required: true },
        { name: 'Idempotency-Key', value: null, required: false, description: 'a retried request with the same key returns the first result and sends nothing twice' },
      ],
      parameters: [{ name: 'chatIdentifier', in: 'path', required: true, description: "the contact's phone number, the chat the contact started" }],
      bodySchemas: BODY_SCHEMAS,
      examples: {
        SMS: { type: 'MESSAGE', channel: { type: 'SMS', route: '141518', connection: 'AWSexample121218' }, msg: 'Hello!' },
        WHATSAPP: { type: 'MESSAGE', channel: { type: 'WHATSAPP', sender: '584123149352' }, msg: 'Hello!' },
        END: { type: 'END' },
      },
      responses: MT_RESPONSES,
    });
  });

  router.post('/v1/integrations/:id/try-out', async (req, res) => {
    const tenantId = tenantIdOf(req);
    const integration = await findIntegration(models, tenantId, req.params.id);
    const input = parseInput(TryOutSchema, req.body);
    const connection = integration.connections.some(({ code }) => code === input.connection)
      ? await models.Connection.findOne({ tenantId, code: input.connection }).lean()
      : null;
    if (!connection) {
      throw new AppError(422, 'UNKNOWN_CONNECTION', `${input.connection} is not a connection of this integration`);
    }
    const sender = input.sender ?? connection.senders[0]!;
    if (!connection.senders.includes(sender)) {
      throw new AppError(422, 'UNKNOWN_SENDER', `${sender} is not a sender of ${connection.code}`);
    }
    const body =
      connection.channel === 'SMS'
        ? { type: 'MESSAGE', channel: { type: 'SMS', route: sender, connection: connection.code }, msg: input.msg }
        : { type: 'MESSAGE', channel: { type: 'WHATSAPP', sender }, msg: input.msg };
    const url = `${baseUrlOf(req)}${responseEndpointPath(integration._id.toHexString(), input.contact)}`;
    res.json({ curl: buildTryOutCurl({ url, responseToken: secretBox.open(integration.responseTokenSealed), body }), url, body });
  });

  router.post('/v1/integrations/:id/rotate-token', async (req, res) => {
    const integration = await findIntegration(models, tenantIdOf(req), req.params.id);
    const responseToken = generateResponseToken();
    await models.Integration.updateOne(
      { _id: integration._id },
      { $set: { responseTokenHash: hashToken(responseToken), responseTokenSealed: secretBox.seal(responseToken) } },
    );
    res.json({ responseToken });
  });
  return router;
}
