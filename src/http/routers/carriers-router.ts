import { z } from 'zod';
import { receiveInbound, type InboundRoutingDeps } from '../../services/inbound-routing.js';
import { bearerTokenOf } from '../auth.js';
import { MoAcceptedSchema, type MoAccepted } from '../response-schemas.js';
import { json, problem, type ApiRoutes } from '../route.js';
import { CarrierInboundSchema } from '../../domain/request-schemas.js';

/** The header a 429 carries (declared on MO and MT alike). */
export const CHAT_BACKLOG_HEADERS = { 'Retry-After': 'seconds to wait before retrying' };

const InboundParams = z.object({ connectionCode: z.string().describe('the connection code the carrier calls back on') });

/** Carrier inbound (MO) callbacks: `202 {chatId}` once the chat workflow has the message. */
export function carriersRoutes(api: ApiRoutes, deps: InboundRoutingDeps): void {
  api.route(
    {
      method: 'post',
      path: '/carriers/:connectionCode/inbound',
      tag: 'Carriers',
      summary: 'Carrier inbound (MO) callback',
      auth: 'carrierSecret',
      params: InboundParams,
      body: CarrierInboundSchema,
      responses: {
        202: json(MoAcceptedSchema, 'accepted by the chat; `duplicate: true` (with the first chat\'s id) when this messageId was accepted within 7 days'),
        404: problem('NOT_FOUND: unknown connection code'),
        422: problem('NO_ROUTE: no active integration or live campaign claims the sender'),
        429: problem('CHAT_BACKLOG: the chat holds CHAT_MAX_PENDING undelivered events; retry after Retry-After seconds', CHAT_BACKLOG_HEADERS),
        503: problem('CHAT_UNAVAILABLE: the chat could not take the message in time (or Temporal is unreachable); retry the callback'),
      },
    },
    async ({ params, body, req, res }) => {
      const receipt = await receiveInbound(deps, { connectionCode: params.connectionCode, carrierSecret: bearerTokenOf(req.headers.authorization), message: body }, req.log);
      res.status(202).json({ chatId: receipt.chatId, ...(receipt.duplicate ? { duplicate: true as const } : {}) } satisfies MoAccepted);
    },
  );
}
