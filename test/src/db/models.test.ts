import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import mongoose, { type Connection } from 'mongoose';
import { connectDatabase } from '../../../src/db/database.js';
import { createModels, ensureIndexes, type Models } from '../../../src/db/models.js';

/**
 * The collection files are a restructuring of one schema module: the collections, their
 * indexes and the documents already stored must stay exactly as they were.
 */
const EXPECTED: Record<keyof Models, { collection: string; indexes: Array<[Record<string, number>, boolean]> }> = {
  Tenant: { collection: 'tenants', indexes: [[{ apiKeyHash: 1 }, true]] },
  Connection: {
    collection: 'connections',
    indexes: [
      [{ tenantId: 1 }, false],
      [{ code: 1 }, true],
    ],
  },
  Reservation: {
    collection: 'reservations',
    indexes: [
      [{ tenantId: 1 }, false],
      [{ channel: 1, sender: 1 }, false],
      [{ tenantId: 1, channel: 1, sender: 1, feature: 1 }, true],
    ],
  },
  Integration: {
    collection: 'integrations',
    indexes: [
      [{ tenantId: 1 }, false],
      [{ responseTokenHash: 1 }, true],
      [{ 'connections.code': 1 }, false],
    ],
  },
  IntegrationTemplate: { collection: 'integration_templates', indexes: [] },
  SenderClaim: {
    collection: 'senderclaims',
    indexes: [
      [{ channel: 1, sender: 1 }, true],
      [{ holderId: 1 }, false],
    ],
  },
  SenderOwnership: { collection: 'senderownerships', indexes: [[{ channel: 1, sender: 1 }, true]] },
  Campaign: {
    collection: 'campaigns',
    indexes: [
      [{ tenantId: 1 }, false],
      [{ integrationId: 1 }, false],
    ],
  },
  Chat: {
    collection: 'chats',
    indexes: [
      [{ chatId: 1 }, true],
      [{ integrationId: 1, contact: 1, openedAt: -1 }, false],
      [{ integrationId: 1, status: 1 }, false],
    ],
  },
  Delivery: {
    collection: 'deliveries',
    indexes: [
      [{ deliveryId: 1 }, true],
      [{ integrationId: 1, _id: 1 }, false],
      [{ integrationId: 1, chatId: 1 }, false],
    ],
  },
  OutboundMessage: {
    collection: 'outboundmessages',
    indexes: [
      [{ eventId: 1 }, true],
      [{ tenantId: 1 }, false],
    ],
  },
  IdempotencyRecord: { collection: 'idempotencyrecords', indexes: [[{ integrationId: 1, key: 1 }, true]] },
  InboundReceipt: { collection: 'inboundreceipts', indexes: [] },
  DeliveryPayload: { collection: 'deliverypayloads', indexes: [] },
  DeliveryAttemptRow: { collection: 'deliveryattempts', indexes: [[{ deliveryId: 1, _id: -1 }, false]] },
};

describe('collections', () => {
  let db: Connection;
  let models: Models;

  beforeAll(async () => {
    const database = `db-collections-${Date.now()}`;
    db = await connectDatabase(inject('mongoUri').replace(/\/[^/?]*(\?|$)/, `/${database}$1`));
    models = createModels(db);
    await ensureIndexes(models);
  });

  afterAll(async () => {
    await db.dropDatabase();
    await db.close();
  });

  it('keeps every collection name and index', async () => {
    expect(Object.keys(models).sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const [name, expected] of Object.entries(EXPECTED)) {
      const model = models[name as keyof Models];
      expect(model.collection.collectionName, name).toBe(expected.collection);
      const indexes = (await model.collection.indexes()).filter((index) => index.name !== '_id_');
      const actual = indexes.map((index) => [index.key, index.unique === true]);
      expect(actual, name).toHaveLength(expected.indexes.length);
      expect(actual, name).toEqual(expect.arrayContaining(expected.indexes));
    }
  });

  it('reads an integration as the previous version stored it', async () => {
    const _id = new mongoose.Types.ObjectId();
    const at = new Date('2026-01-02T03:04:05.000Z');
    const stored = {
      _id,
      tenantId: new mongoose.Types.ObjectId(),
      alias: 'Orders',
      method: 'POST',
      url: 'https://client.example/hook',
      params: [{ key: 'source', type: 'TEXT', value: '' }],
      auth: { type: 'API_KEY', key: 'X-Key', in: 'header', secretSealed: 'sealed' },
      headers: [],
      body: [{ key: 'text', type: 'VARIABLE', value: '{{text}}' }],
      connections: [{ code: 'C1' }],
      status: 'ACTIVE',
      activating: false,
      connectionStatuses: [{ code: 'C1', status: 'FAILED', error: { code: 'SENDER_IN_USE', message: 'in use' }, at }],
      responseTokenHash: `hash-${_id.toHexString()}`,
      responseTokenSealed: 'token',
      signingSecretSealed: 'secret',
      createdAt: at,
      updatedAt: at,
    };
    await models.Integration.collection.insertOne(stored);
    // A field added since (the signing secret a rotation replaced) reads as its default: none.
    const asRead = { ...stored, previousSigningSecret: null };
    expect(await models.Integration.findById(_id).lean()).toEqual(stored);
    const hydrated = await models.Integration.findById(_id).orFail();
    expect(hydrated.toObject()).toEqual(asRead);
    expect(hydrated.auth.secretSealed).toBe('sealed');
  });
});
