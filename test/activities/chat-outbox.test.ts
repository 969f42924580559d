import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { inboundReceiptId, INBOUND_RECEIPT_WINDOW_MS } from '../../src/db/receipts.js';
import type { AcceptInboundInput, DeliveryAttemptRecord } from '../../workflows/contract/activity-io.js';
import type { InboundMessage } from '../../workflows/contract/chat-messages.js';
import { createConnection, createIntegration, uniqueSender } from '../support/fixtures.js';
import { startTestApp, type ApiClient, type TestApp } from '../support/harness.js';

const DAY_MS = 24 * 60 * 60 * 1000;

let app: TestApp;
let acme: { id: string; client: ApiClient };
let activities: ReturnType<typeof createActivities>;
let integrationId: string;
let models: TestApp['models'];
let sequence = 0;

beforeAll(async () => {
  app = await startTestApp();
  acme = await app.tenant('Acme');
  activities = createActivities({ ...app.runtime, announceReceiverRecovered: () => undefined });
  models = app.models;
  await createConnection(acme.client, 'OUTBOX', [uniqueSender()]);
  integrationId = (await createIntegration(acme.client, 'Outbox', ['OUTBOX'])).id;
});
afterAll(async () => {
  await app.close();
});

const nextId = (prefix: string) => `${prefix}_${(sequence += 1)}_${Date.now()}`;

function accepting(overrides: Partial<AcceptInboundInput> & { messageId?: string } = {}): AcceptInboundInput {
  const { messageId = nextId('carrier'), ...rest } = overrides;
  const message: InboundMessage = {
    messageId,
    connectionCode: 'OUTBOX',
    sender: '1234',
    channel: 'SMS',
    text: 'hi',
    media: null,
    timestamp: '2026-11-26T10:00:00.000Z',
  };
  return {
    deliveryId: nextId('msg'),
    tenantId: acme.id,
    integrationId,
    chatId: nextId('chat'),
    contact: '5491100000002',
    message,
    acceptedAt: new Date().toISOString(),
    ...rest,
  };
}

const listed = async (query = '') =>
  (await acme.client.get(`/v1/integrations/${integrationId}/deliveries${query}`)).body;
const attemptRecord = (
  deliveryId: string,
  attempt: number,
  outcome: DeliveryAttemptRecord['outcome'],
  series = 0,
): DeliveryAttemptRecord => ({
  deliveryId,
  series,
  attempt,
  at: new Date(Date.UTC(2026, 10, 26, 10, 0, attempt)).toISOString(),
  statusCode: outcome === 'SUCCEEDED' ? 200 : 503,
  error: outcome === 'SUCCEEDED' ? null : 'the endpoint answered 503',
  durationMs: 7,
  outcome,
});

describe('acceptInboundEvent', () => {
  it('writes the receipt, the delivery row and its payload once, however often it is retried', async () => {
    const input = accepting();
    expect(await activities.acceptInboundEvent(input)).toEqual({ duplicateOf: null });
    expect(await activities.acceptInboundEvent(input)).toEqual({ duplicateOf: null });
    expect(await models.Delivery.countDocuments({ deliveryId: input.deliveryId })).toBe(1);
    expect(await models.DeliveryPayload.countDocuments({ _id: input.deliveryId })).toBe(1);
    expect(
      await models.InboundReceipt.findById(inboundReceiptId('OUTBOX', input.message.messageId)).lean(),
    ).toMatchObject({ chatId: input.chatId, deliveryId: input.deliveryId });
    const payload = await models.DeliveryPayload.findById(input.deliveryId).lean();
    expect(payload!.event).toEqual({
      chatId: input.chatId,
      contact: input.contact,
      event: 'MESSAGE',
      text: 'hi',
      multimedia: { url: null, caption: null },
      sender: '1234',
      channel: 'SMS',
      timestamp: '2026-11-26T10:00:00.000Z',
    });
  });

  it('answers a repeat within 7 days from another chat with the first chat, and writes nothing for it', async () => {
    const first = accepting();
    await activities.acceptInboundEvent(first);
    const repeat = accepting({
      messageId: first.message.messageId,
      acceptedAt: new Date(Date.now() + 6 * DAY_MS).toISOString(),
    });
    expect(await activities.acceptInboundEvent(repeat)).toEqual({
      duplicateOf: { chatId: first.chatId, deliveryId: first.deliveryId },
    });
    expect(await models.Delivery.countDocuments({ deliveryId: repeat.deliveryId })).toBe(0);
    expect(await app.runtime.repositories.receipts.find('OUTBOX', first.message.messageId)).toMatchObject({
      chatId: first.chatId,
      deliveryId: first.deliveryId,
    });
  });

  it('accepts the same messageId again once its receipt is older than 7 days', async () => {
    const old = accepting({ acceptedAt: new Date(Date.now() - INBOUND_RECEIPT_WINDOW_MS - 60_000).toISOString() });
    await activities.acceptInboundEvent(old);
    expect(await app.runtime.repositories.receipts.find('OUTBOX', old.message.messageId)).toBeNull();
    const fresh = accepting({ messageId: old.message.messageId });
    expect(await activities.acceptInboundEvent(fresh)).toEqual({ duplicateOf: null });
    expect(await app.runtime.repositories.receipts.find('OUTBOX', old.message.messageId)).toMatchObject({
      chatId: fresh.chatId,
      deliveryId: fresh.deliveryId,
    });
    expect(await models.Delivery.countDocuments({ deliveryId: fresh.deliveryId })).toBe(1);
  });

  it('finishes the rows of the delivery its receipt names when the activity is retried after the receipt was written', async () => {
    // The first try died after inserting the receipt (its completion was lost): the retry, same
    // deliveryId, owns the receipt and lists the delivery; nothing answers "duplicate" for it.
    const first = accepting();
    const key = inboundReceiptId('OUTBOX', first.message.messageId);
    await models.InboundReceipt.create({
      _id: key,
      chatId: first.chatId,
      deliveryId: first.deliveryId,
      createdAt: new Date(first.acceptedAt),
    });
    expect(await activities.acceptInboundEvent(first)).toEqual({ duplicateOf: null });
    expect(await models.Delivery.countDocuments({ deliveryId: first.deliveryId })).toBe(1);
    expect(await models.DeliveryPayload.countDocuments({ _id: first.deliveryId })).toBe(1);
  });

  it('lets the receipt alone decide between two acceptances of one message at once: one lists its delivery, the other is its duplicate', async () => {
    const messageId = nextId('carrier');
    const [a, b] = [accepting({ messageId }), accepting({ messageId })];
    const results = await Promise.all([activities.acceptInboundEvent(a), activities.acceptInboundEvent(b)]);
    const winner = results[0]!.duplicateOf === null ? a : b;
    expect(results.filter((result) => result.duplicateOf === null)).toHaveLength(1);
    expect(results.find((result) => result.duplicateOf !== null)).toEqual({
      duplicateOf: { chatId: winner.chatId, deliveryId: winner.deliveryId },
    });
    expect(await models.Delivery.countDocuments({ deliveryId: { $in: [a.deliveryId, b.deliveryId] } })).toBe(1);
  });
});

describe('the deliveries list', () => {
  it('lists an accepted event PENDING with no attempts, then its status from its latest attempt row', async () => {
    const input = accepting();
    await activities.acceptInboundEvent(input);
    const find = async (query = '') =>
      ((await listed(query)).items as Array<Record<string, unknown>>).find((item) => item.id === input.deliveryId);
    expect(await find()).toEqual({
      id: input.deliveryId,
      chatId: input.chatId,
      contact: input.contact,
      event: 'MESSAGE',
      status: 'PENDING',
      createdAt: input.acceptedAt,
      lastError: null,
      attemptCount: 0,
      attempts: [],
    });
    await activities.recordDeliveryAttempt(attemptRecord(input.deliveryId, 1, 'RETRY'));
    expect(await find()).toMatchObject({ status: 'PENDING', lastError: 'the endpoint answered 503', attemptCount: 1 });
    await activities.recordDeliveryAttempt(attemptRecord(input.deliveryId, 2, 'SUCCEEDED'));
    expect(await find()).toMatchObject({
      status: 'SUCCEEDED',
      lastError: null,
      attemptCount: 2,
      attempts: [
        { at: '2026-11-26T10:00:01.000Z', statusCode: 503, error: 'the endpoint answered 503', durationMs: 7 },
        { at: '2026-11-26T10:00:02.000Z', statusCode: 200, error: null, durationMs: 7 },
      ],
    });
    expect(await find('?status=SUCCEEDED')).toBeDefined();
    expect(await find('?status=PENDING')).toBeUndefined();
  });

  it('a series given up reads FAILED with its reason; recording it twice counts once', async () => {
    const input = accepting();
    await activities.acceptInboundEvent(input);
    await activities.recordDeliveryAttempt(attemptRecord(input.deliveryId, 1, 'RETRY'));
    const givenUp = {
      deliveryId: input.deliveryId,
      series: 0,
      reason: 'DELIVERY_MAX_DURATION spent after 1 attempts',
      at: new Date().toISOString(),
    };
    await activities.recordDeliveryGivenUp(givenUp);
    await activities.recordDeliveryGivenUp(givenUp);
    const item = ((await listed('?status=FAILED')).items as Array<Record<string, unknown>>).find(
      (entry) => entry.id === input.deliveryId,
    );
    expect(item).toMatchObject({ status: 'FAILED', lastError: givenUp.reason, attemptCount: 1 });
  });

  it('keeps the last 100 attempts of all series and counts them all', async () => {
    const input = accepting();
    await activities.acceptInboundEvent(input);
    const rows = Array.from({ length: 120 }, (_, index) =>
      attemptRecord(input.deliveryId, (index % 60) + 1, 'RETRY', index < 60 ? 0 : 1),
    );
    for (const row of rows) await activities.recordDeliveryAttempt(row);
    await activities.recordDeliveryAttempt({
      ...attemptRecord(input.deliveryId, 61, 'SUCCEEDED', 1),
      at: '2026-11-26T10:02:00.000Z',
    });
    const item = (
      (await listed()).items as Array<{ id: string; attemptCount: number; attempts: unknown[]; status: string }>
    ).find((entry) => entry.id === input.deliveryId)!;
    expect(item.status).toBe('SUCCEEDED');
    expect(item.attemptCount).toBe(121);
    expect(item.attempts).toHaveLength(100);
    expect(item.attempts[99]).toMatchObject({ statusCode: 200, at: '2026-11-26T10:02:00.000Z' });
  });

  it('pages through a status filter without losing or repeating an item', async () => {
    const chatId = nextId('chat-paged');
    const ids: string[] = [];
    for (let index = 0; index < 7; index += 1) {
      const input = accepting({ chatId });
      await activities.acceptInboundEvent(input);
      if (index % 2 === 0) {
        await activities.recordDeliveryAttempt(attemptRecord(input.deliveryId, 1, 'SUCCEEDED'));
        ids.push(input.deliveryId);
      }
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Array<{ id: string }>; nextCursor: string | null } = await listed(
        `?chatId=${chatId}&status=SUCCEEDED&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids);
  });
});
