/**
 * "Duplicate" is decided in one place: the (connection, messageId) receipt, whose unique key the
 * first acceptance inserts (activities/chat-outbox.ts). Every carrier callback is an update of
 * its own, so callbacks of one message posted at the same moment reach the chat side by side:
 * exactly one of them takes the message, the others are answered `duplicate: true` with the same
 * chat, and the message is delivered once, with no second listed delivery.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { carrierOf, createConnection, uniqueSender } from '../support/fixtures.js';
import { startTestApp, type ApiClient, type TestApp } from '../support/harness.js';
import { startHttpPeer, type HttpPeer } from '../support/http-peer.js';

let app: TestApp;
let acme: ApiClient;
let receiver: HttpPeer;

beforeAll(async () => {
  app = await startTestApp({ worker: true });
  acme = (await app.tenant('Acme')).client;
  receiver = await startHttpPeer();
});
afterAll(async () => {
  await app?.close();
  await receiver?.close();
});

const CONTACTS = 10;
const COPIES = 3;

describe('callbacks of one message posted at the same moment', () => {
  it(
    'are taken once by the receipt: one 202 without duplicate, the others duplicate of the same chat, one delivery',
    { timeout: 90_000 },
    async () => {
      const code = 'DUP-CONCURRENT';
      const sender = uniqueSender();
      const carrier = carrierOf(app.baseUrl, await createConnection(acme, code, [sender]));
      const created = await acme.post('/v1/integrations', {
        alias: code,
        method: 'POST',
        url: `${receiver.url}/hook`,
        connections: [{ code }],
      });
      expect(created.status).toBe(201);
      const integrationId = created.body.id as string;
      expect((await acme.post(`/v1/integrations/${integrationId}/start`)).status).toBe(200);

      const contacts = Array.from({ length: CONTACTS }, (_, index) => `54911000009${String(index).padStart(2, '0')}`);
      const answers = await Promise.all(
        contacts.map(async (contact) => {
          // The chat's first message, then a second one posted COPIES times at once.
          expect(
            (
              await carrier.post(`/carriers/${code}/inbound`, {
                messageId: `${contact}-a`,
                from: contact,
                to: sender,
                text: `${contact} a`,
              })
            ).status,
          ).toBe(202);
          const copies = await Promise.all(
            Array.from({ length: COPIES }, () =>
              carrier.post(`/carriers/${code}/inbound`, {
                messageId: `${contact}-b`,
                from: contact,
                to: sender,
                text: `${contact} b`,
              }),
            ),
          );
          return { contact, copies };
        }),
      );

      for (const { contact, copies } of answers) {
        expect(
          copies.map((copy) => copy.status),
          contact,
        ).toEqual(Array(COPIES).fill(202));
        expect(new Set(copies.map((copy) => copy.body.chatId)).size, contact).toBe(1);
        expect(
          copies.filter((copy) => copy.body.duplicate !== true),
          contact,
        ).toHaveLength(1);
      }

      const texts = () => receiver.received.map((request) => (JSON.parse(request.body) as { text: string }).text);
      await expect.poll(() => receiver.received.length, { timeout: 30_000 }).toBe(CONTACTS * 2);
      // Nothing more comes: a copy that lost the receipt queued nothing.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(texts().sort()).toEqual(contacts.flatMap((contact) => [`${contact} a`, `${contact} b`]).sort());
      const listed = await app.models.Delivery.countDocuments({ integrationId, event: 'MESSAGE' });
      expect(listed).toBe(CONTACTS * 2);
    },
  );
});
