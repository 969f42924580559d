import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import mongoose, { type Connection } from 'mongoose';
import { createChatRepository } from '../../../src/db/chats.js';
import { connectDatabase } from '../../../src/db/database.js';
import { createModels, ensureIndexes, type Models } from '../../../src/db/models.js';

describe('chat repository', () => {
  let db: Connection;
  let models: Models;

  beforeAll(async () => {
    const database = `db-chats-${Date.now()}`;
    db = await connectDatabase(inject('mongoUri').replace(/\/[^/?]*(\?|$)/, `/${database}$1`));
    models = createModels(db);
    await ensureIndexes(models);
  });

  afterAll(async () => {
    await db.dropDatabase();
    await db.close();
  });

  it('writes a chat row once, without a window; a second writer leaves it as it is', async () => {
    const integrationId = new mongoose.Types.ObjectId();
    const row = {
      chatId: `chat-${integrationId.toHexString()}`,
      workflowId: 'wf',
      tenantId: new mongoose.Types.ObjectId(),
      integrationId,
      contact: '5491100000000',
      channel: 'SMS' as const,
      connectionCode: 'C1',
      sender: '1234',
      openedAt: new Date('2026-01-02T00:00:00.000Z'),
      lastInboundAt: new Date('2026-01-02T00:00:00.000Z'),
      windowExpiresAt: null,
    };
    const chats = createChatRepository(models);
    await chats.insertOpened(row);
    await chats.insertOpened({ ...row, lastInboundAt: new Date('2026-01-02T00:05:00.000Z') });
    const stored = await models.Chat.find({ chatId: row.chatId }).lean();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      status: 'OPEN',
      closedAt: null,
      windowExpiresAt: null,
      lastInboundAt: new Date('2026-01-02T00:00:00.000Z'),
    });
  });
});
