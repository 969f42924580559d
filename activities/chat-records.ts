import mongoose from 'mongoose';
import type { Models } from '../src/db/models.js';
import type { ChatOpenedRecord } from '../workflows/contract/activity-io.js';
import { insertChatRecord } from '../src/db/chats.js';

/** The chat's row, listed OPEN (an insert; a second writer, e.g. a retried activity, finds it there and leaves it). */
export async function recordChatOpenedRow(models: Models, input: ChatOpenedRecord): Promise<void> {
  await insertChatRecord(models, {
    ...input,
    tenantId: new mongoose.Types.ObjectId(input.tenantId),
    integrationId: new mongoose.Types.ObjectId(input.integrationId),
    openedAt: new Date(input.openedAt),
    lastInboundAt: new Date(input.lastInboundAt ?? input.openedAt),
    windowExpiresAt: input.windowExpiresAt ? new Date(input.windowExpiresAt) : null,
  });
}

/** The chat read model (lists and inspection); the workflow owns the state, this mirrors it. */
export function createChatRecordActivities(models: Models) {
  return {
    async recordChatClosed(input: { chatId: string; closedAt: string; reason: string; lastInboundAt?: string }): Promise<void> {
      const last = input.lastInboundAt ? { lastInboundAt: new Date(input.lastInboundAt) } : {};
      await models.Chat.updateOne({ chatId: input.chatId }, { $set: { status: 'CLOSED', closedAt: new Date(input.closedAt), ...last } });
    },
  };
}
