/** Chats of an integration, as their read model lists them with the live values of open ones. */
import type { ChatDoc, Models } from '../db/models.js';
import { listPage, type Page } from '../db/pagination.js';
import type { TemporalGateway } from '../temporal/gateway.js';
import { notFound } from './errors.js';
import { findTenantIntegration } from './integrations.js';

export interface ChatFilter {
  limit: number;
  cursor?: string | undefined;
  status?: ChatDoc['status'] | undefined;
}

/** How many chats a contact's look-up reads: the open one is among the latest, if there is one. */
const CONTACT_CHATS_READ = 5;

/**
 * The chat owns its live values (last inbound, window): the read model has them as of the
 * chat's opening, so an open chat is asked (a query; the stored values if it cannot answer).
 */
async function withLiveValues(gateway: TemporalGateway, chat: ChatDoc): Promise<ChatDoc> {
  if (chat.status !== 'OPEN') return chat;
  const live = await gateway.queryChatState(chat.workflowId);
  // The workflow id outlives one chat: a later chat of the same contact answers for itself only.
  if (live?.chatId !== chat.chatId) return chat;
  return { ...chat, lastInboundAt: new Date(live.lastInboundAt), windowExpiresAt: live.windowExpiresAt ? new Date(live.windowExpiresAt) : null };
}

export async function listChats(models: Models, gateway: TemporalGateway, tenantId: string, integrationId: string, query: ChatFilter): Promise<Page<ChatDoc>> {
  const integration = await findTenantIntegration(models, tenantId, integrationId);
  const filter = { integrationId: integration._id, ...(query.status ? { status: query.status } : {}) };
  const page = await listPage(query, (range, limit) => models.Chat.find({ ...filter, ...range }).sort({ _id: 1 }).limit(limit).lean(), (chat) => chat);
  return { items: await Promise.all(page.items.map((chat) => withLiveValues(gateway, chat))), nextCursor: page.nextCursor };
}

/** The contact's open chat, or else the last one. */
export async function findContactChat(models: Models, gateway: TemporalGateway, tenantId: string, integrationId: string, contact: string): Promise<ChatDoc> {
  const integration = await findTenantIntegration(models, tenantId, integrationId);
  const chats = await models.Chat.find({ integrationId: integration._id, contact }).sort({ openedAt: -1 }).limit(CONTACT_CHATS_READ).lean();
  const chat = chats.find((candidate) => candidate.status === 'OPEN') ?? chats[0];
  if (!chat) throw notFound('Chat');
  return withLiveValues(gateway, chat);
}

/** Open chats platform-wide, for the `chathook_open_chats` gauge. */
export const countOpenChats = (models: Models): Promise<number> => models.Chat.countDocuments({ status: 'OPEN' });
