/**
 * Chatbot mode (SPEC section 2, Campaigns; section 3): an integration with no connections is
 * fed by the Chatbot campaigns linked to it. While a campaign is LIVE, an inbound message on one
 * of its senders opens or continues a chat of the linked integration and is delivered to that
 * integration's webhook; replies go out from the campaign's sender. Paused, the sender routes
 * nowhere again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiClient,
  startTestApp,
  type ApiClient,
  type ProvisionedConnection,
  type TestApp,
} from '../support/harness.js';
import { carrierOf, createConnection, createIntegration, uniqueSender } from '../support/fixtures.js';
import { startHttpPeer, type HttpPeer } from '../support/http-peer.js';

let app: TestApp;
let acme: ApiClient;
let acmeId: string;
let receiver: HttpPeer;
let carrierPeer: HttpPeer;

beforeAll(async () => {
  app = await startTestApp({ worker: true, env: { DELIVERY_RETRY_INITIAL: '200ms' } });
  ({ client: acme, id: acmeId } = await app.tenant('Acme'));
  receiver = await startHttpPeer();
  carrierPeer = await startHttpPeer({ status: 202 });
});
afterAll(async () => {
  await app.close();
  await receiver.close();
  await carrierPeer.close();
});

const deliveredTo = (path: string) =>
  receiver.received
    .filter((request) => request.url === path)
    .map((request) => JSON.parse(request.body) as Record<string, unknown>);

/** An ACTIVE chatbot integration (no connections) and a DRAFT campaign on `senders`, linked to it. */
async function chatbotWithCampaign(alias: string, senders: string[]) {
  const bot = await createIntegration(acme, alias, [], { url: `${receiver.url}/${alias}` });
  const started = await acme.post(`/v1/integrations/${bot.id}/start`);
  expect(started.body).toEqual({ status: 'ACTIVE', partial: false, connections: [] });
  const campaign = await acme.post('/v1/campaigns', {
    name: `${alias} campaign`,
    integrationId: bot.id,
    channel: 'SMS',
    senders,
  });
  expect(campaign.status, JSON.stringify(campaign.body)).toBe(201);
  expect(campaign.body.status).toBe('DRAFT');
  return { bot, campaignId: campaign.body.id as string, path: `/${alias}` };
}

describe('an inbound message on a live campaign sender', () => {
  let sender: string;
  let connection: ProvisionedConnection;

  beforeAll(async () => {
    sender = uniqueSender();
    connection = await app.provisionConnection(acmeId, {
      code: 'CAMP-SMS',
      channel: 'SMS',
      senders: [sender],
      carrier: { type: 'http', url: `${carrierPeer.url}/sms`, secret: 'camp-carrier-secret' },
    });
  });

  it('is routed to the linked integration only while the campaign is LIVE, and the chat replies from the campaign sender', async () => {
    const { bot, campaignId, path } = await chatbotWithCampaign('SpringBot', [sender]);
    const carrier = carrierOf(app.baseUrl, connection);
    const contact = '5491100000801';
    const mo = (messageId: string, text: string, from = contact) =>
      carrier.post('/carriers/CAMP-SMS/inbound', { messageId, from, to: sender, text });

    // DRAFT: nothing claims the sender yet.
    const draft = await mo('camp-0', 'too early');
    expect(draft.status).toBe(422);
    expect(draft.body.error.code).toBe('NO_ROUTE');

    const live = await acme.post(`/v1/campaigns/${campaignId}/live`);
    expect(live.status).toBe(200);
    expect(live.body).toMatchObject({ status: 'LIVE', integrationDate: expect.any(String) });

    const first = await mo('camp-1', 'hello bot');
    expect(first.status, JSON.stringify(first.body)).toBe(202);
    const second = await mo('camp-2', 'still there?');
    expect(second.status).toBe(202);
    expect(second.body.chatId).toBe(first.body.chatId);

    await expect.poll(() => deliveredTo(path).length, { timeout: 20_000 }).toBe(2);
    expect(deliveredTo(path)).toEqual([
      {
        chatId: first.body.chatId,
        contact,
        event: 'MESSAGE',
        text: 'hello bot',
        multimedia: { url: null, caption: null },
      },
      {
        chatId: first.body.chatId,
        contact,
        event: 'MESSAGE',
        text: 'still there?',
        multimedia: { url: null, caption: null },
      },
    ]);
    const deliveries = await acme.get(`/v1/integrations/${bot.id}/deliveries?chatId=${first.body.chatId}`);
    expect(deliveries.body.items).toHaveLength(2);
    await expect
      .poll(async () => (await acme.get(`/v1/integrations/${bot.id}/chats/${contact}`)).body, { timeout: 15_000 })
      .toMatchObject({ chatId: first.body.chatId, channel: 'SMS', connection: 'CAMP-SMS', sender, status: 'OPEN' });

    // The chat answers through the campaign's sender and the connection's carrier.
    const mt = apiClient(app.baseUrl, bot.responseToken);
    const reply = await mt.post(`/integrations/live-chat/${bot.id}/chats/${contact}/events`, {
      type: 'MESSAGE',
      channel: { type: 'SMS', route: sender, connection: 'CAMP-SMS' },
      msg: 'hi, human',
    });
    expect(reply.status, JSON.stringify(reply.body)).toBe(202);
    const [sent] = await carrierPeer.waitFor(1);
    expect(sent!.headers.authorization).toBe('Bearer camp-carrier-secret');
    expect(JSON.parse(sent!.body)).toEqual({
      id: reply.body.eventId,
      channel: 'SMS',
      connection: 'CAMP-SMS',
      from: sender,
      to: contact,
      text: 'hi, human',
    });

    const listed = await acme.get(`/v1/integrations/${bot.id}/campaigns`);
    expect(listed.body).toMatchObject({
      integrationType: 'CHATBOT',
      items: [{ campaignId, status: 'LIVE', integrationDate: live.body.integrationDate }],
    });

    // Paused: the sender is released and routes nowhere, for this contact and for a new one.
    expect((await acme.post(`/v1/campaigns/${campaignId}/pause`)).body.status).toBe('PAUSED');
    for (const [messageId, from] of [
      ['camp-3', contact],
      ['camp-4', '5491100000802'],
    ] as const) {
      const paused = await mo(messageId, 'anyone?', from);
      expect(paused.status, messageId).toBe(422);
      expect(paused.body.error.code).toBe('NO_ROUTE');
    }

    // LIVE again: routed again, into the contact's open chat, and its integration date is kept.
    const again = await acme.post(`/v1/campaigns/${campaignId}/live`);
    expect(again.body).toMatchObject({ status: 'LIVE', integrationDate: live.body.integrationDate });
    const back = await mo('camp-5', 'back again');
    expect(back.status).toBe(202);
    expect(back.body.chatId).toBe(first.body.chatId);
    await expect
      .poll(() => deliveredTo(path).map((body) => body.text), { timeout: 20_000 })
      .toEqual(['hello bot', 'still there?', 'back again']);
    expect((await acme.post(`/v1/campaigns/${campaignId}/pause`)).status).toBe(200);
  });

  it('keeps the sender from an integration that lists it while the campaign is LIVE, and goes to whoever holds it', async () => {
    const { bot, campaignId, path } = await chatbotWithCampaign('SummerBot', [sender]);
    expect((await acme.post(`/v1/campaigns/${campaignId}/live`)).status).toBe(200);

    const direct = await createIntegration(acme, 'DirectHook', ['CAMP-SMS'], { url: `${receiver.url}/DirectHook` });
    const refused = await acme.post(`/v1/integrations/${direct.id}/start`);
    expect(refused.status).toBe(409);
    expect(refused.body.connections).toEqual([
      {
        code: 'CAMP-SMS',
        status: 'FAILED',
        error: {
          code: 'SENDER_IN_USE',
          message: expect.stringContaining('the live chatbot campaign "SummerBot campaign"'),
        },
      },
    ]);

    const carrier = carrierOf(app.baseUrl, connection);
    const contact = '5491100000803';
    expect(
      (
        await carrier.post('/carriers/CAMP-SMS/inbound', {
          messageId: 'summer-1',
          from: contact,
          to: sender,
          text: 'to the bot',
        })
      ).status,
    ).toBe(202);
    await expect.poll(() => deliveredTo(path).map((body) => body.text), { timeout: 20_000 }).toEqual(['to the bot']);

    // Paused, the sender is free: the integration listing the connection takes it, and its traffic.
    expect((await acme.post(`/v1/campaigns/${campaignId}/pause`)).status).toBe(200);
    expect((await acme.post(`/v1/integrations/${direct.id}/start`)).status).toBe(200);
    expect(
      (
        await carrier.post('/carriers/CAMP-SMS/inbound', {
          messageId: 'summer-2',
          from: contact,
          to: sender,
          text: 'to the hook',
        })
      ).status,
    ).toBe(202);
    await expect
      .poll(() => deliveredTo('/DirectHook').map((body) => body.text), { timeout: 20_000 })
      .toEqual(['to the hook']);
    expect(deliveredTo(path).map((body) => body.text)).toEqual(['to the bot']);
    expect((await acme.get(`/v1/integrations/${bot.id}/deliveries`)).body.items).toHaveLength(1);
    expect((await acme.post(`/v1/integrations/${direct.id}/stop`)).status).toBe(200);
  });

  it('routes a sandbox campaign sender of its own tenant the same way', async () => {
    const sandboxSender = uniqueSender();
    const sandbox = await createConnection(acme, 'CAMP-SANDBOX', [sandboxSender]);
    const { campaignId, path } = await chatbotWithCampaign('SandboxBot', [sandboxSender]);
    expect((await acme.post(`/v1/campaigns/${campaignId}/live`)).status).toBe(200);
    const accepted = await carrierOf(app.baseUrl, sandbox).post('/carriers/CAMP-SANDBOX/inbound', {
      messageId: 'sb-1',
      from: '5491100000804',
      to: sandboxSender,
      text: 'sandbox hello',
    });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    await expect.poll(() => deliveredTo(path).map((body) => body.text), { timeout: 20_000 }).toEqual(['sandbox hello']);
  });
});
