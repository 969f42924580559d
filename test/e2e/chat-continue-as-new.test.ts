import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatWorkflowId } from '../../workflows/contract/ids.js';
import { apiClient, startTestApp, type ApiClient, type TestApp } from '../support/harness.js';
import { carrierOf, createConnection, uniqueSender } from '../support/fixtures.js';
import { startHttpPeer, type HttpPeer } from '../support/http-peer.js';

const PER_RUN = 40;
const MESSAGES = 130;
let app: TestApp;
let acme: ApiClient;
let receiver: HttpPeer;

beforeAll(async () => {
  app = await startTestApp({ worker: true, env: { CHAT_MESSAGES_PER_RUN: String(PER_RUN) } });
  acme = (await app.tenant('Acme')).client;
  receiver = await startHttpPeer();
});
afterAll(async () => {
  await app.close();
  await receiver.close();
});

describe('a long chat', () => {
  it(
    'continues as new across runs without losing, duplicating or reordering anything',
    { timeout: 180_000 },
    async () => {
      const sender = uniqueSender();
      const connection = await createConnection(acme, 'LONG', [sender]);
      const integration = await acme.post('/v1/integrations', {
        alias: 'Long',
        method: 'POST',
        url: `${receiver.url}/long`,
        connections: [{ code: 'LONG' }],
      });
      await acme.post(`/v1/integrations/${integration.body.id}/start`);
      const carrier = carrierOf(app.baseUrl, connection);
      const mt = apiClient(app.baseUrl, integration.body.responseToken);
      const contact = '5491100000090';
      const chatIds = new Set<string>();
      // Slow answers keep deliveries queued while runs turn over, so the queue itself is carried.
      receiver.respondWith(() => ({ status: 200, delayMs: 5 }));
      for (let index = 0; index < MESSAGES; index += 1) {
        const inbound = await carrier.post('/carriers/LONG/inbound', {
          messageId: `long-${index}`,
          from: contact,
          to: sender,
          text: String(index),
        });
        expect(inbound.status).toBe(202);
        chatIds.add(inbound.body.chatId);
        if (index % 10 === 0) {
          const reply = await mt.post(`/integrations/live-chat/${integration.body.id}/chats/${contact}/events`, {
            type: 'MESSAGE',
            channel: { type: 'SMS', route: sender, connection: 'LONG' },
            msg: `reply ${index}`,
          });
          expect(reply.status).toBe(202);
        }
      }
      // A duplicate of a message accepted several runs ago is still recognised.
      expect(
        (await carrier.post('/carriers/LONG/inbound', { messageId: 'long-3', from: contact, to: sender, text: '3' }))
          .body.duplicate,
      ).toBe(true);
      await receiver.waitFor(MESSAGES, 120_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(chatIds.size).toBe(1);
      expect(receiver.received.map((request) => JSON.parse(request.body).text)).toEqual(
        Array.from({ length: MESSAGES }, (_, index) => String(index)),
      );

      const runCount = async () => {
        const runIds: string[] = [];
        for await (const execution of app.runtime.temporal.client.workflow.list({
          query: `WorkflowId = '${chatWorkflowId(integration.body.id, contact)}'`,
        }))
          runIds.push(execution.runId);
        return runIds.length;
      };
      // 130 inbound + 13 replies, at most 40 per run (visibility lists the runs eventually).
      await expect.poll(runCount, { timeout: 15_000, interval: 200 }).toBeGreaterThanOrEqual(4);
      // Replies go out through the carrier on their own queue, not in step with the webhook deliveries.
      const sentTexts = async () =>
        (await acme.get('/v1/sandbox/messages?limit=500')).body.items.map((item: { text: string }) => item.text);
      await expect
        .poll(sentTexts, { timeout: 20_000, interval: 200 })
        .toEqual(Array.from({ length: 13 }, (_, index) => `reply ${index * 10}`));
    },
  );
});
