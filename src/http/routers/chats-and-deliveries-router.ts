import type { ReplayRateLimit } from '../rate-limits.js';
import { z } from 'zod';
import type { ChatDoc } from '../../db/chats.js';
import type { OutboundMessageDoc, ReplyRepository } from '../../db/replies.js';
import { findContactChat, listChats, type ChatDeps } from '../../services/chats.js';
import {
  deliveryViewOf,
  listDeliveries,
  replayDelivery,
  type DeliveryDeps,
  type DeliveryView,
} from '../../services/deliveries.js';
import { listSandboxMessages } from '../../services/sandbox-messages.js';
import { tenantIdOf } from '../auth.js';
import {
  ChatListSchema,
  ChatSchema,
  DeliveryListSchema,
  presentPage,
  ReplaySchema,
  SandboxMessageListSchema,
  type Chat,
  type Delivery,
  type Replay,
  type SandboxMessage,
} from '../response-schemas.js';
import { ErrorCode } from '../../domain/error-catalogue.js';
import { errorReply, json, type ApiRoutes } from '../route.js';
import { ChatListQuerySchema, DeliveryListQuerySchema, ListQuerySchema } from '../../domain/request-schemas.js';

const TAG = 'Deliveries and chats';
const integrationId = z.string().describe('the integration id');
const IntegrationParams = z.object({ id: integrationId });
const DeliveryParams = z.object({ id: integrationId, deliveryId: z.string().describe('the delivery id (webhook-id)') });
const ContactParams = z.object({ id: integrationId, contact: z.string().describe("the contact's number") });
const unknownIntegration = errorReply(ErrorCode.NOT_FOUND, 'unknown integration id');

export const presentDelivery = (view: DeliveryView) =>
  ({
    id: view.deliveryId,
    chatId: view.chatId,
    contact: view.contact,
    event: view.event,
    status: view.status,
    createdAt: view.createdAt.toISOString(),
    lastError: view.lastError,
    attemptCount: view.attemptCount,
    attempts: view.attempts.map(({ at, statusCode, error, durationMs }) => ({
      at: at.toISOString(),
      statusCode,
      error,
      durationMs,
    })),
  }) satisfies Delivery;

export const presentChat = (doc: ChatDoc) =>
  ({
    chatId: doc.chatId,
    contact: doc.contact,
    channel: doc.channel,
    connection: doc.connectionCode,
    sender: doc.sender,
    status: doc.status,
    openedAt: doc.openedAt.toISOString(),
    lastInboundAt: doc.lastInboundAt.toISOString(),
    windowExpiresAt: doc.windowExpiresAt?.toISOString() ?? null,
    closedAt: doc.closedAt?.toISOString() ?? null,
  }) satisfies Chat;

const presentSandboxMessage = (doc: OutboundMessageDoc) =>
  ({
    id: doc.eventId,
    connection: doc.connectionCode,
    channel: doc.channel,
    from: doc.from,
    to: doc.to,
    text: doc.text,
    at: doc.at.toISOString(),
  }) satisfies SandboxMessage;

export function chatsAndDeliveriesRoutes(
  api: ApiRoutes,
  deps: ChatDeps & DeliveryDeps & { replies: ReplyRepository; limitReplay?: ReplayRateLimit | undefined },
): void {
  api.route(
    {
      method: 'get',
      path: '/v1/integrations/:id/deliveries',
      tag: TAG,
      summary: 'Delivery log of the client webhook',
      auth: 'tenantKey',
      params: IntegrationParams,
      query: DeliveryListQuerySchema,
      responses: { 200: json(DeliveryListSchema, 'a page') },
      errors: [unknownIntegration],
    },
    async ({ params, query, req, res }) => {
      res.json(
        presentPage(
          await listDeliveries(deps, { tenantId: tenantIdOf(req), integrationId: params.id, query }),
          presentDelivery,
        ),
      );
    },
  );

  api.route(
    {
      method: 'post',
      path: '/v1/integrations/:id/deliveries/:deliveryId/replay',
      tag: TAG,
      summary: 'Send a recorded delivery again (same webhook-id)',
      auth: 'tenantKey',
      params: DeliveryParams,
      responses: { 200: json(ReplaySchema, 'PENDING again') },
      errors: [
        errorReply(ErrorCode.NOT_FOUND, 'unknown integration or delivery id'),
        errorReply(ErrorCode.REPLAY_IN_PROGRESS, 'a replay series of this delivery is still running'),
      ],
    },
    async ({ params, req, res }) => {
      await deps.limitReplay?.(req, res, {
        tenantId: tenantIdOf(req),
        integrationId: params.id,
        deliveryId: params.deliveryId,
      });
      const { delivery, replayId } = await replayDelivery(deps, {
        tenantId: tenantIdOf(req),
        integrationId: params.id,
        deliveryId: params.deliveryId,
      });
      res.json({
        ...presentDelivery(await deliveryViewOf(deps, delivery)),
        status: 'PENDING',
        replayId,
      } satisfies Replay);
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/integrations/:id/chats',
      tag: TAG,
      summary: 'Chats of an integration',
      auth: 'tenantKey',
      params: IntegrationParams,
      query: ChatListQuerySchema,
      responses: { 200: json(ChatListSchema, 'a page') },
      errors: [unknownIntegration],
    },
    async ({ params, query, req, res }) => {
      res.json(
        presentPage(await listChats(deps, { tenantId: tenantIdOf(req), integrationId: params.id, query }), presentChat),
      );
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/integrations/:id/chats/:contact',
      tag: TAG,
      summary: 'The open chat of a contact, or the last one',
      auth: 'tenantKey',
      params: ContactParams,
      responses: { 200: json(ChatSchema, 'the chat') },
      errors: [errorReply(ErrorCode.NOT_FOUND, 'unknown integration id, or the contact has no chat')],
    },
    async ({ params, req, res }) => {
      res.json(
        presentChat(
          await findContactChat(deps, { tenantId: tenantIdOf(req), integrationId: params.id, contact: params.contact }),
        ),
      );
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/sandbox/messages',
      tag: TAG,
      summary: 'MT messages the sandbox carrier recorded',
      auth: 'tenantKey',
      query: ListQuerySchema,
      responses: { 200: json(SandboxMessageListSchema, 'a page') },
    },
    async ({ query, req, res }) => {
      res.json(
        presentPage(await listSandboxMessages(deps, { tenantId: tenantIdOf(req), query }), presentSandboxMessage),
      );
    },
  );
}
