import type { RequestHandler } from 'express';
import { z } from 'zod';
import type { ConnectionDoc } from '../../db/connections.js';
import { authenticateCarrier, receiveInbound, type InboundRoutingDeps } from '../../services/inbound-routing.js';
import { unauthorized } from '../../services/errors.js';
import { bearerTokenOf } from '../auth.js';
import { MoAcceptedSchema, type MoAccepted } from '../response-schemas.js';
import { ErrorCode } from '../../domain/error-catalogue.js';
import { errorReply, json, type ApiRoutes } from '../route.js';
import { CarrierInboundSchema } from '../../domain/request-schemas.js';

declare module 'express-serve-static-core' {
  interface Request {
    /** The connection whose carrier secret authenticated this callback. */
    carrierConnection?: ConnectionDoc;
  }
}

const InboundParams = z.object({
  connectionCode: z.string().describe('the connection code the carrier calls back on'),
});

/**
 * The `carrierSecret` guard: authenticates before the body is read, so an unauthenticated
 * request learns nothing (not even that its body is malformed), and hands the connection on.
 */
export function requireCarrier(
  deps: Pick<InboundRoutingDeps, 'connections' | 'secretBox' | 'routeCache'>,
): RequestHandler {
  return async (req, _res, next) => {
    const code = req.params.connectionCode;
    if (typeof code !== 'string') throw unauthorized('Missing or wrong carrier secret, or unknown connection code');
    req.carrierConnection = await authenticateCarrier(deps, { code, secret: bearerTokenOf(req.headers.authorization) });
    next();
  };
}

/**
 * Carrier inbound (MO) callbacks: `202 {chatId}` once the chat workflow has the message (logged with the request's
 * logger).
 */
export function carriersRoutes(api: ApiRoutes, deps: Omit<InboundRoutingDeps, 'logger'>): void {
  api.route(
    {
      method: 'post',
      path: '/carriers/:connectionCode/inbound',
      tag: 'Carriers',
      summary: 'Carrier inbound (MO) callback',
      description:
        "`Authorization: Bearer <the connection's carrier secret>`, always. `to` must be one of this connection's senders.",
      auth: 'carrierSecret',
      params: InboundParams,
      body: CarrierInboundSchema,
      responses: {
        202: json(
          MoAcceptedSchema,
          "accepted by the chat; `duplicate: true` (with the first chat's id) when this messageId was accepted within 7 days",
        ),
      },
      errors: [
        errorReply(
          ErrorCode.NO_ROUTE,
          '`to` is not a sender of this connection, or no active integration or live campaign claims it through this connection',
        ),
        errorReply(
          ErrorCode.CHAT_BACKLOG,
          'the chat holds CHAT_MAX_PENDING undelivered events; retry after Retry-After seconds',
        ),
        errorReply(
          ErrorCode.CHAT_UNAVAILABLE,
          'the chat could not take the message in time (or Temporal is unreachable); retry the callback',
        ),
      ],
    },
    async ({ body, req, res }) => {
      if (!req.carrierConnection) throw unauthorized('Missing or wrong carrier secret, or unknown connection code');
      const receipt = await receiveInbound(
        { ...deps, logger: req.log },
        { connection: req.carrierConnection, message: body },
      );
      res.status(202).json({
        chatId: receipt.chatId,
        ...(receipt.duplicate ? { duplicate: true as const } : {}),
      } satisfies MoAccepted);
    },
  );
}
