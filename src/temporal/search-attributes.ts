import type { Connection } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import proto from '@temporalio/proto';
import type { ChatParties } from '../../workflows/contract/chat-session.js';
import { CHAT_SEARCH_ATTRIBUTE_KEYS, CHAT_SEARCH_ATTRIBUTE_NAMES } from '../../workflows/contract/search-attributes.js';

export { CHAT_SEARCH_ATTRIBUTE_NAMES };

/** What a chat workflow starts with: filterable by integration, contact and channel, and OPEN. */
export function openChatSearchAttributes(
  chat: Pick<ChatParties, 'integrationId' | 'contact' | 'channel'>,
): TypedSearchAttributes {
  return new TypedSearchAttributes([
    { key: CHAT_SEARCH_ATTRIBUTE_KEYS.integrationId, value: chat.integrationId },
    { key: CHAT_SEARCH_ATTRIBUTE_KEYS.contact, value: chat.contact },
    { key: CHAT_SEARCH_ATTRIBUTE_KEYS.channel, value: chat.channel },
    { key: CHAT_SEARCH_ATTRIBUTE_KEYS.status, value: 'OPEN' },
  ]);
}

/** The dev server's `--search-attribute` flags for the chat search attributes (tests, benches). */
export const searchAttributeArgs = () =>
  CHAT_SEARCH_ATTRIBUTE_NAMES.flatMap((name) => ['--search-attribute', `${name}=Keyword`]);

/**
 * Registers the chat search attributes on the namespace (idempotent). The embedded dev server
 * gets them as `--search-attribute` flags; an external server (docker-compose, production) gets
 * them here, at worker start, so operators can filter chats in the Temporal UI.
 */
export async function ensureChatSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set(Object.keys(existing.customAttributes ?? {}));
  const missing = CHAT_SEARCH_ATTRIBUTE_NAMES.filter((name) => !known.has(name));
  if (missing.length === 0) return;
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(
      missing.map((name) => [name, proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD]),
    ),
  });
}
