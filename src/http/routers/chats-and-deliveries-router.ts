import type { Client } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import type { Config } from '../../platform/config.js';
import type { ChatDoc, DeliveryDoc, Models, OutboundMessageDoc } from '../../db/models.js';
import { notFound } from '../../services/errors.js';
import type { ChatEvent } from '../../domain/webhook-template.js';
import { chatSettingsOf } from '../../temporal/chat-client.js';
import type { deliveryReplayWorkflow } from '../../../workflows/delivery-replay.js';
import { replayWorkflowId } from '../../../workflows/delivery-replay.js';
import { chatStateQuery } from '../../../workflows/chat-messages.js';
import { tenantIdOf } from '../auth.js';
import { findIntegration } from './integrations-router.js';
import { listPage } from '../../db/pagination.js';
import { ChatListQuerySchema, DeliveryListQuerySchema, ListQuerySchema } from '../schemas.js';
import { parseInput } from '../validation.js';

export const presentDelivery = (doc: DeliveryDoc) => ({
  id: doc.deliveryId,
  chatId: doc.chatId,
  contact: doc.contact,
  event: doc.event,
  status: doc.status,
  createdAt: doc.createdAt,
  lastError: doc.lastError,
  attempts: doc.attempts.map(({ at, statusCode, error, durationMs }) => ({ at, statusCode, error, durationMs })),
});

export const presentChat = (doc: ChatDoc) => ({
  chatId: doc.chatId,
  contact: doc.contact,
  channel: doc.channel,
  connection: doc.connectionCode,
  sender: doc.sender,
  status: doc.status,
  openedAt: doc.openedAt,
  lastInboundAt: doc.lastInboundAt,
  windowExpiresAt: doc.windowExpiresAt ?? null,
  closedAt: doc.closedAt ?? null,
});

const presentSandboxMessage = (doc: OutboundMessageDoc) => ({
  id: doc.eventId,
  connection: doc.connectionCode,
  channel: doc.channel,
  from: doc.from,
  to: doc.to,
  text: doc.text,
  at: doc.at,
});

export function chatsAndDeliveriesRouter(deps: { models: Models; temporal: Client; config: Config }): Router {
  const { models } = deps;
  const router = Router();

  /**
   * The chat owns its live values (last inbound, window): the read model has them as of the
   * chat's opening, so open chats are asked (a query; the stored values if it cannot answer).
   */
  const presentLiveChat = async (chat: ChatDoc) => {
    if (chat.status !== 'OPEN') return presentChat(chat);
    const live = await deps.temporal.workflow
      .getHandle(chat.workflowId)
      .query(chatStateQuery)
      .catch(() => undefined);
    if (live?.chatId !== chat.chatId) return presentChat(chat);
    return { ...presentChat(chat), lastInboundAt: new Date(live.lastInboundAt), windowExpiresAt: live.windowExpiresAt ? new Date(live.windowExpiresAt) : null };
  };

  router.get('/v1/integrations/:id/deliveries', async (req, res) => {
    const tenantId = tenantIdOf(req);
    const integration = await findIntegration(models, tenantId, req.params.id);
    const query = parseInput(DeliveryListQuerySchema, req.query);
    const filter = {
      integrationId: integration._id,
      ...(query.chatId ? { chatId: query.chatId } : {}),
      ...(query.status ? { status: query.status } : {}),
      ...(query.event ? { event: query.event } : {}),
    };
    res.json(await listPage(query, (range, limit) => models.Delivery.find({ ...filter, ...range }).sort({ _id: 1 }).limit(limit).lean(), presentDelivery));
  });

  router.post('/v1/integrations/:id/deliveries/:deliveryId/replay', async (req, res) => {
    const tenantId = tenantIdOf(req);
    const integration = await findIntegration(models, tenantId, req.params.id);
    const delivery = await models.Delivery.findOne({ integrationId: integration._id, deliveryId: req.params.deliveryId }).lean();
    if (!delivery) throw notFound('Delivery');
    const requestId = randomUUID();
    await deps.temporal.workflow.start<typeof deliveryReplayWorkflow>('deliveryReplayWorkflow', {
      workflowId: replayWorkflowId(delivery.deliveryId, requestId),
      taskQueue: deps.config.temporal.taskQueue,
      args: [
        {
          delivery: {
            tenantId,
            integrationId: integration._id.toHexString(),
            deliveryId: delivery.deliveryId,
            event: delivery.payload as unknown as ChatEvent,
            createdAt: delivery.createdAt.toISOString(),
          },
          settings: chatSettingsOf(deps.config),
        },
      ],
    });
    await models.Delivery.updateOne({ _id: delivery._id }, { $set: { status: 'PENDING' } });
    res.json({ ...presentDelivery({ ...delivery, status: 'PENDING' }), replayId: requestId });
  });

  router.get('/v1/integrations/:id/chats', async (req, res) => {
    const integration = await findIntegration(models, tenantIdOf(req), req.params.id);
    const query = parseInput(ChatListQuerySchema, req.query);
    const filter = { integrationId: integration._id, ...(query.status ? { status: query.status } : {}) };
    const page = await listPage(query, (range, limit) => models.Chat.find({ ...filter, ...range }).sort({ _id: 1 }).limit(limit).lean(), (chat) => chat);
    res.json({ items: await Promise.all(page.items.map(presentLiveChat)), nextCursor: page.nextCursor });
  });

  router.get('/v1/integrations/:id/chats/:contact', async (req, res) => {
    const integration = await findIntegration(models, tenantIdOf(req), req.params.id);
    const chats = await models.Chat.find({ integrationId: integration._id, contact: req.params.contact }).sort({ openedAt: -1 }).limit(5).lean();
    const chat = chats.find((candidate) => candidate.status === 'OPEN') ?? chats[0];
    if (!chat) throw notFound('Chat');
    res.json(await presentLiveChat(chat));
  });

  router.get('/v1/sandbox/messages', async (req, res) => {
    const query = parseInput(ListQuerySchema, req.query);
    res.json(
      await listPage(
        query,
        (range, limit) => models.OutboundMessage.find({ tenantId: tenantIdOf(req), carrierType: 'sandbox', ...range }).sort({ _id: 1 }).limit(limit).lean(),
        presentSandboxMessage,
      ),
    );
  });
  return router;
}
