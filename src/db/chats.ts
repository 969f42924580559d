import mongoose, { type Connection, type InferRawDocTypeFromSchema } from 'mongoose';
import { ChannelSchema } from '../domain/webhook-template.js';
import { isDuplicateKeyError } from './duplicate-key.js';
import type { Models } from './models.js';

const { Schema } = mongoose;

/** Read model of a chat; the chat workflow owns the state, this copy serves lists and look-ups. */
const chatSchema = Schema.create(
  {
    chatId: { type: String, required: true, unique: true },
    workflowId: { type: String, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    integrationId: { type: Schema.Types.ObjectId, required: true },
    contact: { type: String, required: true },
    channel: { type: String, enum: ChannelSchema.options, required: true },
    connectionCode: { type: String, required: true },
    sender: { type: String, required: true },
    status: { type: String, enum: ['OPEN', 'CLOSED'] as const, required: true },
    openedAt: { type: Date, required: true },
    lastInboundAt: { type: Date, required: true },
    windowExpiresAt: { type: Date, default: null },
    closedAt: { type: Date, default: null },
  },
  { versionKey: false },
);
chatSchema.index({ integrationId: 1, contact: 1, openedAt: -1 });
chatSchema.index({ integrationId: 1, status: 1 });

export type ChatDoc = InferRawDocTypeFromSchema<typeof chatSchema>;

export const createChatModel = (db: Connection) => db.model('Chat', chatSchema);
export type ChatModel = ReturnType<typeof createChatModel>;

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
