/**
 * Issue 11, reproduction 2 (sender takeover across tenants): senders belong to the platform.
 * Before, tenant B reserved tenant A's sender (201), A's start then failed SENDER_IN_USE, B
 * started its own integration on the sender and received A's carrier traffic.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_KEY,
  apiClient,
  startTestApp,
  type ApiClient,
  type ProvisionedConnection,
  type TestApp,
} from '../support/harness.js';
import { carrierOf, createConnection, createIntegration, uniqueSender } from '../support/fixtures.js';
import { startHttpPeer, type HttpPeer } from '../support/http-peer.js';

let app: TestApp;
let receiver: HttpPeer;
let acme: { id: string; client: ApiClient };
let globex: { id: string; client: ApiClient };

beforeAll(async () => {
  app = await startTestApp({ worker: true });
  receiver = await startHttpPeer();
  acme = await app.tenant('Acme');
  globex = await app.tenant('Globex');
});
afterAll(async () => {
  await app.close();
  await receiver.close();
});

const httpConnection = (code: string, senders: string[]) => ({
  code,
  channel: 'SMS' as const,
  senders,
  carrier: { type: 'http' as const, url: 'http://127.0.0.1:9/send' },
});

async function startedIntegration(client: ApiClient, alias: string, codes: string[]) {
  const integration = await createIntegration(client, alias, codes, { url: `${receiver.url}/${alias}` });
  const started = await client.post(`/v1/integrations/${integration.id}/start`);
  expect(started.status, JSON.stringify(started.body)).toBe(200);
  return integration;
}

const mo = (to: string, messageId: string) => ({ messageId, from: '5491100000777', to, text: messageId });

describe('a real sender belongs to one tenant', () => {
  let sender: string;
  let acmeConnection: ProvisionedConnection;

  beforeAll(async () => {
    sender = uniqueSender();
    acmeConnection = await app.provisionConnection(acme.id, httpConnection('TAKE-ACME', [sender]));
  });

  it("refuses another tenant's http connection on the sender: 409 SENDER_TAKEN, nothing owned by the attempt", async () => {
    const free = uniqueSender();
    const operator = apiClient(app.baseUrl, ADMIN_KEY);
    const taken = await operator.post(
      `/v1/tenants/${globex.id}/connections`,
      httpConnection('TAKE-GLOBEX', [free, sender]),
    );
    expect(taken.status).toBe(409);
    expect(taken.body.error).toMatchObject({ code: 'SENDER_TAKEN', senders: [sender] });
    expect(JSON.stringify(taken.body)).not.toContain('TAKE-ACME');
    expect((await globex.client.get('/v1/connections/TAKE-GLOBEX')).status).toBe(404);
    // All or none: the free sender the refused connection listed is not kept for Globex.
    await app.provisionConnection(acme.id, httpConnection('TAKE-ACME-2', [free]));
  });

  it('lets the same tenant list its sender on a second carrier account', async () => {
    await app.provisionConnection(acme.id, httpConnection('TAKE-ACME-BACKUP', [sender]));
    const operator = apiClient(app.baseUrl, ADMIN_KEY);
    expect((await operator.delete(`/v1/tenants/${acme.id}/connections/TAKE-ACME-BACKUP`)).status).toBe(204);
    // Still Acme's: one of its connections lists it.
    expect(
      (await operator.post(`/v1/tenants/${globex.id}/connections`, httpConnection('TAKE-GLOBEX-2', [sender]))).status,
    ).toBe(409);
  });

  it('gives one of racing provisionings of a sender for two tenants the sender, never both', async () => {
    const raced = uniqueSender();
    const operator = apiClient(app.baseUrl, ADMIN_KEY);
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, index) =>
        operator.post(
          `/v1/tenants/${index % 2 === 0 ? acme.id : globex.id}/connections`,
          httpConnection(`RACE-${index}`, [raced]),
        ),
      ),
    );
    const winners = answers.flatMap((answer, index) => (answer.status === 201 ? [index % 2] : []));
    expect(new Set(winners).size).toBe(1);
    expect(
      answers.every(
        (answer) => answer.status === 201 || (answer.status === 409 && answer.body.error.code === 'SENDER_TAKEN'),
      ),
    ).toBe(true);
  });

  it("refuses B's reservation, campaign and integration start on A's sender (422 UNKNOWN_SENDER), and A's traffic still reaches A", async () => {
    const reservation = await globex.client.post('/v1/reservations', {
      channel: 'SMS',
      sender,
      feature: 'KEYWORD_CAMPAIGN',
      label: 'Hijack',
    });
    expect(reservation.status).toBe(422);
    expect(reservation.body.error.code).toBe('UNKNOWN_SENDER');

    const bot = await startedIntegration(globex.client, 'GlobexBot', []);
    const campaign = await globex.client.post('/v1/campaigns', {
      name: 'Hijack',
      integrationId: bot.id,
      channel: 'SMS',
      senders: [sender],
    });
    expect(campaign.status).toBe(422);
    expect(campaign.body.error).toMatchObject({ code: 'UNKNOWN_SENDER', fields: [{ path: 'senders.0' }] });

    // B cannot list A's connection either, nor make one of its own with that sender.
    const listing = await globex.client.post('/v1/integrations', {
      alias: 'Hijack',
      method: 'POST',
      url: `${receiver.url}/hijack`,
      connections: [{ code: 'TAKE-ACME' }],
    });
    expect(listing.status).toBe(422);
    const own = await globex.client.post('/v1/connections', httpConnection('TAKE-GLOBEX-3', [sender]));
    expect(own.status).toBe(403);
    expect(own.body.error.code).toBe('OPERATOR_ONLY');

    // A starts (nothing of B's blocks it) and its carrier's traffic reaches A.
    const acmeIntegration = await startedIntegration(acme.client, 'AcmeHook', ['TAKE-ACME']);
    const inbound = await carrierOf(app.baseUrl, acmeConnection).post(
      '/carriers/TAKE-ACME/inbound',
      mo(sender, 'takeover-1'),
    );
    expect(inbound.status).toBe(202);
    const [delivered] = await receiver.waitFor(1);
    expect(delivered!.url).toBe('/AcmeHook');
    const deliveries = await acme.client.get(`/v1/integrations/${acmeIntegration.id}/deliveries`);
    expect(deliveries.body.items).toHaveLength(1);
  });

  it('ignores a reservation another tenant made on the sender before senders were checked', async () => {
    const legacy = uniqueSender();
    const connection = await app.provisionConnection(acme.id, httpConnection('LEGACY-ACME', [legacy]));
    // As stored by the old API, which took any sender from any tenant.
    await app.models.Reservation.create({ tenantId: globex.id, channel: 'SMS', sender: legacy, feature: 'AUTO_REPLY' });
    await startedIntegration(acme.client, 'LegacyHook', ['LEGACY-ACME']);
    expect(
      (await carrierOf(app.baseUrl, connection).post('/carriers/LEGACY-ACME/inbound', mo(legacy, 'legacy-1'))).status,
    ).toBe(202);
    const delivered = await receiver.waitFor(2);
    expect(delivered[1]!.url).toBe('/LegacyHook');
  });
});

describe('sandbox senders live in their tenant', () => {
  it("two tenants' sandboxes with the same sender do not collide, and neither claims a real sender", async () => {
    const shared = uniqueSender();
    const real = await app.provisionConnection(acme.id, httpConnection('NS-REAL', [shared]));
    const acmeSandbox = await createConnection(acme.client, 'NS-ACME', [shared]);
    const globexSandbox = await createConnection(globex.client, 'NS-GLOBEX', [shared]);

    await startedIntegration(globex.client, 'NsGlobex', ['NS-GLOBEX']);
    // Globex's sandbox claim blocks neither Acme's sandbox nor Acme's real sender.
    await startedIntegration(acme.client, 'NsAcmeSandbox', ['NS-ACME']);
    await startedIntegration(acme.client, 'NsAcmeReal', ['NS-REAL']);

    const before = receiver.received.length;
    const answers = await Promise.all([
      carrierOf(app.baseUrl, globexSandbox).post('/carriers/NS-GLOBEX/inbound', mo(shared, 'ns-globex')),
      carrierOf(app.baseUrl, acmeSandbox).post('/carriers/NS-ACME/inbound', mo(shared, 'ns-acme')),
      carrierOf(app.baseUrl, real).post('/carriers/NS-REAL/inbound', mo(shared, 'ns-real')),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([202, 202, 202]);
    const delivered = await receiver.waitFor(before + 3);
    const byPath = Object.fromEntries(
      delivered.slice(before).map((request) => [request.url, JSON.parse(request.body).text as string]),
    );
    expect(byPath).toEqual({ '/NsGlobex': 'ns-globex', '/NsAcmeSandbox': 'ns-acme', '/NsAcmeReal': 'ns-real' });
  });

  it("a reservation of a sandbox sender is its tenant's only", async () => {
    const shared = uniqueSender();
    await createConnection(acme.client, 'NS-RES-ACME', [shared]);
    await createConnection(globex.client, 'NS-RES-GLOBEX', [shared]);
    expect(
      (await globex.client.post('/v1/reservations', { channel: 'SMS', sender: shared, feature: 'AUTO_REPLY' })).status,
    ).toBe(201);
    await startedIntegration(acme.client, 'NsReserved', ['NS-RES-ACME']);
  });
});
