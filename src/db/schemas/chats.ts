import mongoose, { type Connection, type InferRawDocTypeFromSchema } from 'mongoose';
import { ChannelSchema } from '../../domain/webhook-template.js';

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
