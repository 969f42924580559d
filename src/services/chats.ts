/** Chats of an integration, as their read model lists them with the live values of open ones. */
import type { ChatDoc, ChatRepository } from '../db/chats.js';
import type { IntegrationRepository } from '../db/integrations.js';
import type { Page } from '../db/pagination.js';
import type { TemporalGateway } from '../temporal/gateway.js';
import { notFound } from './errors.js';
import { findTenantIntegration } from './integrations.js';

export interface ChatDeps {
  chats: ChatRepository;
  integrations: IntegrationRepository;
  /** An open chat is asked for its live values. */
  gateway: TemporalGateway;
}

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
  return {
    ...chat,
    lastInboundAt: new Date(live.lastInboundAt),
    windowExpiresAt: live.windowExpiresAt ? new Date(live.windowExpiresAt) : null,
  };
}

export async function listChats(
  deps: ChatDeps,
  input: { tenantId: string; integrationId: string; query: ChatFilter },
): Promise<Page<ChatDoc>> {
  const { query } = input;
  const integration = await findTenantIntegration(deps, { tenantId: input.tenantId, id: input.integrationId });
  const page = await deps.chats.list(integration._id, query.status, query);
  return {
    items: await Promise.all(page.items.map((chat) => withLiveValues(deps.gateway, chat))),
    nextCursor: page.nextCursor,
  };
}

/** The contact's open chat, or else the last one. */
export async function findContactChat(
  deps: ChatDeps,
  input: { tenantId: string; integrationId: string; contact: string },
): Promise<ChatDoc> {
  const integration = await findTenantIntegration(deps, { tenantId: input.tenantId, id: input.integrationId });
  const chats = await deps.chats.latestOfContact(integration._id, input.contact, CONTACT_CHATS_READ);
  const chat = chats.find((candidate) => candidate.status === 'OPEN') ?? chats[0];
  if (!chat) throw notFound('Chat');
  return withLiveValues(deps.gateway, chat);
}

/** Open chats platform-wide, for the `chathook_open_chats` gauge. */
export const countOpenChats = (deps: Pick<ChatDeps, 'chats'>): Promise<number> => deps.chats.countOpen();
