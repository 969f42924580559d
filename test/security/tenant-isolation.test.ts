/**
 * Tenant isolation (SPEC section 2: "Every resource below belongs to the tenant whose key is
 * used. Another tenant's resource is answered 404 (never 403, never its data)"; section 5: the
 * response webhook answers 403 to a valid response token of another integration, of any tenant).
 *
 * Acme owns an active integration with an open chat, a delivered message, a sent sandbox reply,
 * a chatbot integration with a campaign, a connection and a reservation. Globex calls every
 * operation on them with its own key: each answer is the 404 an unknown id gets, word for word,
 * and afterwards Acme's state is what it was, its secrets still work, and nothing was sent.
 */
import mongoose from 'mongoose';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, startTestApp, type ApiClient, type ApiResponse, type TestApp } from '../support/harness.js';
import { carrierOf, createConnection, createIntegration, uniqueSender } from '../support/fixtures.js';
import { startHttpPeer, type HttpPeer } from '../support/http-peer.js';

let app: TestApp;
let receiver: HttpPeer;
let acme: ApiClient;
let globex: ApiClient;
let globexKey: string;

const CONTACT = '5491100000951';
/** expect.poll outside a test (beforeAll): the condition, or a throw after `timeoutMs`. */
async function until(condition: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !(await condition());) {
    if (Date.now() > deadline) throw new Error(`not met in ${timeoutMs} ms: ${condition.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const unknownId = () => new mongoose.Types.ObjectId().toHexString();

interface AcmeFixture {
  integration: { id: string; responseToken: string; signingSecret: string };
  bot: { id: string };
  campaignId: string;
  reservationId: string;
  deliveryId: string;
  chatId: string;
  sender: string;
  carrier: ApiClient;
}
let a: AcmeFixture;
let globexIntegration: { id: string; responseToken: string };

beforeAll(async () => {
  app = await startTestApp({ worker: true, env: { DELIVERY_RETRY_INITIAL: '200ms' } });
  receiver = await startHttpPeer();
  acme = (await app.tenant('Acme')).client;
  ({ client: globex, apiKey: globexKey } = await app.tenant('Globex'));

  const sender = uniqueSender();
  const connection = await createConnection(acme, 'ISO-ACME', [sender]);
  const reservationSender = uniqueSender();
  await createConnection(acme, 'ISO-ACME-RES', [reservationSender]);
  const integration = await createIntegration(acme, 'AcmeHook', ['ISO-ACME'], { url: `${receiver.url}/acme` });
  expect((await acme.post(`/v1/integrations/${integration.id}/start`)).status).toBe(200);
  const carrier = carrierOf(app.baseUrl, connection);
  const opened = await carrier.post('/carriers/ISO-ACME/inbound', {
    messageId: 'iso-1',
    from: CONTACT,
    to: sender,
    text: 'private to acme',
  });
  expect(opened.status).toBe(202);
  await receiver.waitFor(1);
  const reply = await apiClient(app.baseUrl, integration.responseToken).post(
    `/integrations/live-chat/${integration.id}/chats/${CONTACT}/events`,
    {
      type: 'MESSAGE',
      channel: { type: 'SMS', route: sender, connection: 'ISO-ACME' },
      msg: 'acme reply',
    },
  );
  expect(reply.status).toBe(202);
  await until(async () => (await acme.get('/v1/sandbox/messages')).body.items.length === 1);
  const deliveries = () => acme.get(`/v1/integrations/${integration.id}/deliveries`);
  await until(async () => (await deliveries()).body.items[0]?.status === 'SUCCEEDED');
  const [delivery] = (await deliveries()).body.items;

  const bot = await createIntegration(acme, 'AcmeBot', [], { url: `${receiver.url}/acme-bot` });
  expect((await acme.post(`/v1/integrations/${bot.id}/start`)).status).toBe(200);
  const campaign = await acme.post('/v1/campaigns', {
    name: 'Acme campaign',
    integrationId: bot.id,
    channel: 'SMS',
    senders: [sender],
  });
  expect(campaign.status).toBe(201);
  const reservation = await acme.post('/v1/reservations', {
    channel: 'SMS',
    sender: reservationSender,
    feature: 'AUTO_REPLY',
    label: 'Acme only',
  });
  expect(reservation.status).toBe(201);

  a = {
    integration,
    bot,
    campaignId: campaign.body.id,
    reservationId: reservation.body.id,
    deliveryId: delivery.id,
    chatId: opened.body.chatId,
    sender,
    carrier,
  };
  globexIntegration = await createIntegration(globex, 'GlobexHook', [], { url: `${receiver.url}/globex` });
  expect((await globex.post(`/v1/integrations/${globexIntegration.id}/start`)).status).toBe(200);
});
afterAll(async () => {
  await app.close();
  await receiver.close();
});

/** Everything of Acme's a call could change, read with Acme's key and from the store. */
async function acmeState() {
  const { models } = app;
  const read = async (path: string) => {
    const response = await acme.get(path);
    expect(response.status, path).toBe(200);
    return response.body;
  };
  const integrationDoc = await models.Integration.findById(a.integration.id).lean();
  return {
    integration: await read(`/v1/integrations/${a.integration.id}`),
    bot: await read(`/v1/integrations/${a.bot.id}`),
    secrets: {
      token: integrationDoc?.responseTokenHash,
      signing: integrationDoc?.signingSecretSealed,
      previous: integrationDoc?.previousSigningSecret ?? null,
    },
    connectionDetails: await read(`/v1/integrations/${a.integration.id}/connections`),
    deliveries: await read(`/v1/integrations/${a.integration.id}/deliveries`),
    chats: await read(`/v1/integrations/${a.integration.id}/chats`),
    chat: await read(`/v1/integrations/${a.integration.id}/chats/${CONTACT}`),
    campaign: await read(`/v1/campaigns/${a.campaignId}`),
    campaigns: await read(`/v1/integrations/${a.bot.id}/campaigns`),
    connections: await read('/v1/connections'),
    reservations: await read('/v1/reservations'),
    sandbox: await read('/v1/sandbox/messages'),
    claims: await models.SenderClaim.find({}, { _id: 0, claimedAt: 0 }).sort({ sender: 1 }).lean(),
    replayStarted: await app.runtime.temporal.client.workflow
      .getHandle(`delivery-replay-${a.deliveryId}`)
      .describe()
      .then(
        () => true,
        () => false,
      ),
  };
}

describe("another tenant's key on Acme's resources", () => {
  it('answers every operation exactly as an unknown id, and changes nothing of Acme', async () => {
    const before = await acmeState();
    const id = a.integration.id;
    const tryOut = { contact: CONTACT, connection: 'ISO-ACME', type: 'MESSAGE', msg: 'hi' };
    const template = { alias: 'Taken over', method: 'POST', url: `${receiver.url}/globex-took-it`, connections: [] };
    // [name, call on Acme's resource, the same call on an id that does not exist]
    const calls: Array<[string, (target: string) => Promise<ApiResponse>, string]> = [
      ['GET integration', (target) => globex.get(`/v1/integrations/${target}`), id],
      ['PUT integration', (target) => globex.put(`/v1/integrations/${target}`, template), id],
      ['DELETE integration', (target) => globex.delete(`/v1/integrations/${target}`), id],
      ['start', (target) => globex.post(`/v1/integrations/${target}/start`), id],
      ['stop', (target) => globex.post(`/v1/integrations/${target}/stop`), id],
      ['connections details', (target) => globex.get(`/v1/integrations/${target}/connections`), id],
      ['deliveries', (target) => globex.get(`/v1/integrations/${target}/deliveries`), id],
      ['deliveries of a chat', (target) => globex.get(`/v1/integrations/${target}/deliveries?chatId=${a.chatId}`), id],
      ['replay', (target) => globex.post(`/v1/integrations/${target}/deliveries/${a.deliveryId}/replay`), id],
      [
        "replay of Acme's delivery under Globex's integration",
        (target) => globex.post(`/v1/integrations/${globexIntegration.id}/deliveries/${target}/replay`),
        a.deliveryId,
      ],
      ['chats', (target) => globex.get(`/v1/integrations/${target}/chats`), id],
      ['open chats', (target) => globex.get(`/v1/integrations/${target}/chats?status=OPEN`), id],
      ['chat of a contact', (target) => globex.get(`/v1/integrations/${target}/chats/${CONTACT}`), id],
      ['api-details', (target) => globex.get(`/v1/integrations/${target}/api-details`), id],
      ['try-out', (target) => globex.post(`/v1/integrations/${target}/try-out`, tryOut), id],
      ['rotate-token', (target) => globex.post(`/v1/integrations/${target}/rotate-token`), id],
      ['rotate-signing-secret', (target) => globex.post(`/v1/integrations/${target}/rotate-signing-secret`), id],
      ['campaigns of an integration', (target) => globex.get(`/v1/integrations/${target}/campaigns`), a.bot.id],
      ['GET campaign', (target) => globex.get(`/v1/campaigns/${target}`), a.campaignId],
      ['campaign live', (target) => globex.post(`/v1/campaigns/${target}/live`), a.campaignId],
      ['campaign pause', (target) => globex.post(`/v1/campaigns/${target}/pause`), a.campaignId],
      ['GET reservation', (target) => globex.get(`/v1/reservations/${target}`), a.reservationId],
      ['DELETE reservation', (target) => globex.delete(`/v1/reservations/${target}`), a.reservationId],
    ];
    for (const [name, call, target] of calls) {
      const answer = await call(target);
      expect(answer.status, `${name}: ${JSON.stringify(answer.body)}`).toBe(404);
      const unknown = await call(unknownId());
      expect(answer.body, name).toEqual(unknown.body);
      expect(JSON.stringify(answer.body), name).not.toMatch(
        /AcmeHook|AcmeBot|Acme campaign|ISO-ACME|private to acme|5491100000951/,
      );
    }
    // Connection codes are their own ids: Acme's answers as a code nobody has.
    for (const [name, call] of [
      ['GET connection', (code: string) => globex.get(`/v1/connections/${code}`)],
      ['DELETE connection', (code: string) => globex.delete(`/v1/connections/${code}`)],
    ] as const) {
      const answer = await call('ISO-ACME');
      expect(answer.status, name).toBe(404);
      expect(answer.body, name).toEqual((await call('ISO-NOBODY')).body);
    }
    // Acme's ids in Globex's own creations: not found either.
    const linked = await globex.post('/v1/campaigns', {
      name: 'Hijack',
      integrationId: a.bot.id,
      channel: 'SMS',
      senders: [a.sender],
    });
    expect(linked.status).toBe(404);

    // Lists show Globex only its own.
    expect((await globex.get('/v1/integrations')).body.items.map((item: { id: string }) => item.id)).toEqual([
      globexIntegration.id,
    ]);
    expect((await globex.get('/v1/campaigns')).body.items).toEqual([]);
    expect((await globex.get('/v1/reservations')).body.items).toEqual([]);
    expect((await globex.get('/v1/connections')).body.items).toEqual([]);
    expect((await globex.get('/v1/sandbox/messages')).body.items).toEqual([]);
    expect((await globex.get(`/v1/integrations/${globexIntegration.id}/chats/${CONTACT}`)).status).toBe(404);

    // Nothing of Acme's moved: same records, no replay started, nothing sent anywhere.
    const after = await acmeState();
    expect(after).toEqual(before);
    expect(receiver.received.map((request) => request.url)).toEqual(['/acme']);
  });

  it("keeps Acme's response token and signing secret working after Globex's rotation attempts", async () => {
    const mt = apiClient(app.baseUrl, a.integration.responseToken);
    const reply = await mt.post(`/integrations/live-chat/${a.integration.id}/chats/${CONTACT}/events`, {
      type: 'MESSAGE',
      channel: { type: 'SMS', route: a.sender, connection: 'ISO-ACME' },
      msg: 'still acme',
    });
    expect(reply.status).toBe(202);
    const before = receiver.received.length;
    expect(
      (
        await a.carrier.post('/carriers/ISO-ACME/inbound', {
          messageId: 'iso-2',
          from: CONTACT,
          to: a.sender,
          text: 'second',
        })
      ).status,
    ).toBe(202);
    const [delivered] = (await receiver.waitFor(before + 1)).slice(before);
    expect(delivered!.url).toBe('/acme');
    // Signed with the secret Acme was shown at create, and with nothing else (no rotation overlap).
    const signatures = String(delivered!.headers['webhook-signature']).split(' ');
    expect(signatures).toHaveLength(1);
    expect(() =>
      new Webhook(a.integration.signingSecret).verify(delivered!.body, delivered!.headers as Record<string, string>),
    ).not.toThrow();
  });
});

describe('the response webhook with credentials of another tenant', () => {
  const path = () => `/integrations/live-chat/${a.integration.id}/chats/${CONTACT}/events`;
  const message = () => ({
    type: 'MESSAGE',
    channel: { type: 'SMS', route: a.sender, connection: 'ISO-ACME' },
    msg: 'from globex',
  });

  it("answers 403 to Globex's valid response token on Acme's integration, and sends nothing", async () => {
    const chatBefore = (await acme.get(`/v1/integrations/${a.integration.id}/chats/${CONTACT}`)).body;
    const globexToken = apiClient(app.baseUrl, globexIntegration.responseToken);
    for (const body of [message(), { type: 'END' }]) {
      const refused = await globexToken.post(path(), body);
      expect(refused.status, JSON.stringify(refused.body)).toBe(403);
      expect(refused.body.error).toEqual({ code: expect.any(String), message: expect.any(String) });
      expect(JSON.stringify(refused.body)).not.toMatch(/AcmeHook|private to acme/);
    }
    // Acme's token on Globex's integration: 403 too, in the other direction.
    const reverse = await apiClient(app.baseUrl, a.integration.responseToken).post(
      `/integrations/live-chat/${globexIntegration.id}/chats/${CONTACT}/events`,
      { type: 'END' },
    );
    expect(reverse.status).toBe(403);
    // A tenant API key is no response token: 401.
    expect((await apiClient(app.baseUrl, globexKey).post(path(), message())).status).toBe(401);

    // The chat is still open (END was refused) and no reply went out.
    const chatAfter = (await acme.get(`/v1/integrations/${a.integration.id}/chats/${CONTACT}`)).body;
    expect(chatAfter).toEqual(chatBefore);
    expect(chatAfter.status).toBe('OPEN');
    const ok = await apiClient(app.baseUrl, a.integration.responseToken).post(path(), {
      ...message(),
      msg: 'acme marker',
    });
    expect(ok.status).toBe(202);
    // Replies leave in order: once the marker is recorded, anything sent before it would be too.
    const texts = async () =>
      (await acme.get('/v1/sandbox/messages')).body.items.map((item: { text: string }) => item.text);
    await expect.poll(texts, { timeout: 15_000 }).toContain('acme marker');
    expect(await texts()).not.toContain('from globex');
  });
});
