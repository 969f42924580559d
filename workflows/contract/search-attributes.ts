/**
 * Search attributes. Part of the workflow contract (workflows/contract/): the chat workflow sets
 * them and src/temporal registers and queries them, so both must name the same keys.
 */
import { defineSearchAttributeKey } from '@temporalio/common';

/** Search attributes chat workflows carry (registered on the Temporal server at start). */
export const CHAT_SEARCH_ATTRIBUTE_KEYS = {
  integrationId: defineSearchAttributeKey('ChathookIntegrationId', 'KEYWORD'),
  contact: defineSearchAttributeKey('ChathookContact', 'KEYWORD'),
  channel: defineSearchAttributeKey('ChathookChannel', 'KEYWORD'),
  status: defineSearchAttributeKey('ChathookChatStatus', 'KEYWORD'),
} as const;

/** Their names, all of kind Keyword: what a server must have registered before chats start. */
export const CHAT_SEARCH_ATTRIBUTE_NAMES: readonly string[] = Object.values(CHAT_SEARCH_ATTRIBUTE_KEYS).map(
  (key) => key.name,
);
