import type { ChatRepository } from '../src/db/chats.js';
import type { ChatOpenedRecord } from '../workflows/contract/activity-io.js';

/** The chat's row, listed OPEN (an insert; a second writer, e.g. a retried activity, finds it there and leaves it). */
export async function recordChatOpenedRow(chats: ChatRepository, input: ChatOpenedRecord): Promise<void> {
  await chats.insertOpened({
    ...input,
    openedAt: new Date(input.openedAt),
    lastInboundAt: new Date(input.lastInboundAt ?? input.openedAt),
    windowExpiresAt: input.windowExpiresAt ? new Date(input.windowExpiresAt) : null,
  });
}

/** The chat read model (lists and inspection); the workflow owns the state, this mirrors it. */
export function createChatRecordActivities(deps: { chats: ChatRepository }) {
  return {
    async recordChatClosed(input: {
      chatId: string;
      closedAt: string;
      reason: string;
      lastInboundAt?: string;
    }): Promise<void> {
      await deps.chats.markClosed(
        input.chatId,
        new Date(input.closedAt),
        input.lastInboundAt ? new Date(input.lastInboundAt) : undefined,
      );
    },
  };
}
