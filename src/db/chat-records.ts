import { isDuplicateKeyError, type ChatDoc, type Models } from './models.js';

export type ChatRecordUpsert = Omit<ChatDoc, '_id' | 'status' | 'closedAt'>;

/**
 * Inserts the chat's read-model row or moves its inbound time forward. The API (after each
 * inbound message) and the workflow (when the chat opens) both write it, in either order.
 */
export async function upsertChatRecord(models: Models, chat: ChatRecordUpsert): Promise<void> {
  // An insert first: it stays cheap as the collection grows, where an upsert on the embedded
  // FerretDB/SQLite engine scans it. A second writer (a retried activity) finds the row there.
  try {
    await models.Chat.create({ ...chat, status: 'OPEN', closedAt: null });
    return;
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
  }
  const { lastInboundAt, windowExpiresAt, ...fixed } = chat;
  const later = { lastInboundAt, ...(windowExpiresAt ? { windowExpiresAt } : {}) };
  const update = { $setOnInsert: { ...fixed, status: 'OPEN', closedAt: null }, $max: later };
  try {
    await models.Chat.updateOne({ chatId: chat.chatId }, update, { upsert: true });
  } catch (error) {
    // Two first writers raced on the unique chatId: the row exists now, so update it.
    if (!isDuplicateKeyError(error)) throw error;
    await models.Chat.updateOne({ chatId: chat.chatId }, { $max: later });
  }
}
