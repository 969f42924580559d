import type { Types } from 'mongoose';
import { insertOnce } from './duplicate-key.js';
import { asObjectId, type Id } from './ids.js';
import type { Models } from './models.js';
import { listPage, type Page, type PageQuery } from './pagination.js';
import type { ChatDoc } from './schemas/chats.js';

export type { ChatDoc };

export type ChatRecordInsert = Omit<ChatDoc, '_id' | 'status' | 'closedAt' | 'tenantId' | 'integrationId'> & {
  tenantId: Id;
  integrationId: Id;
};

/** The chats' read model: the chat workflow owns the state, these rows serve lists and look-ups. */
export function createChatRepository(models: Pick<Models, 'Chat'>) {
  const { Chat } = models;
  return {
    /**
     * Inserts the chat's row, listed OPEN, once: a second writer (a retried or concurrent accept)
     * finds it there and leaves it. Only an insert: an update or upsert scans the collection on
     * the embedded FerretDB/SQLite engine, and under load its lock held up every other write. The
     * row's later values come from the workflow: an open chat's by query, a closed chat's at its close.
     */
    async insertOpened(chat: ChatRecordInsert): Promise<void> {
      await insertOnce(() =>
        Chat.create({
          ...chat,
          tenantId: asObjectId(chat.tenantId),
          integrationId: asObjectId(chat.integrationId),
          status: 'OPEN',
          closedAt: null,
        }),
      );
    },

    /** Once per chat, at its close (not on the MO/MT path). */
    async markClosed(chatId: string, closedAt: Date, lastInboundAt: Date | undefined): Promise<void> {
      const last = lastInboundAt ? { lastInboundAt } : {};
      await Chat.updateOne({ chatId }, { $set: { status: 'CLOSED', closedAt, ...last } });
    },

    list(
      integrationId: Types.ObjectId,
      status: ChatDoc['status'] | undefined,
      query: PageQuery,
    ): Promise<Page<ChatDoc>> {
      const filter = { integrationId, ...(status ? { status } : {}) };
      return listPage(query, (range, limit) =>
        Chat.find({ ...filter, ...range })
          .sort({ _id: 1 })
          .limit(limit)
          .lean<ChatDoc[]>(),
      );
    },

    /** The contact's last `limit` chats, latest first. */
    latestOfContact(integrationId: Types.ObjectId, contact: string, limit: number): Promise<ChatDoc[]> {
      return Chat.find({ integrationId, contact }).sort({ openedAt: -1 }).limit(limit).lean<ChatDoc[]>();
    },

    /** Open chats platform-wide. */
    countOpen(): Promise<number> {
      return Chat.countDocuments({ status: 'OPEN' });
    },
  };
}

export type ChatRepository = ReturnType<typeof createChatRepository>;
