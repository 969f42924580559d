/**
 * Issue 11, reproduction 1 (MO forgery): carrier callbacks are authenticated and scoped. Before,
 * a sandbox connection with no secret accepted `to` = the sender of the tenant's
 * secret-protected http connection, with no credentials, and a signed MESSAGE went out.
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
let receiver: HttpPeer;
let acme: { id: string; client: ApiClient };
let protectedSender: string;
let sandboxSender: string;
let http: ProvisionedConnection;
let sandbox: ProvisionedConnection;
let integrationId: string;

beforeAll(async () => {
  // Reads are counted against the cache: a TTL the test cannot outlast on a loaded machine.
  app = await startTestApp({ worker: true, env: { ROUTE_CACHE_TTL: '5m' } });
  receiver = await startHttpPeer();
  acme = await app.tenant('Acme');
  [protectedSender, sandboxSender] = [uniqueSender(), uniqueSender()];
  http = await app.provisionConnection(acme.id, {
    code: 'AUTH-HTTP',
    channel: 'SMS',
    senders: [protectedSender],
    carrier: { type: 'http', url: 'http://127.0.0.1:9/send', secret: 'the-http-carrier-secret' },
  });
  sandbox = await createConnection(acme.client, 'AUTH-SB', [sandboxSender]);
  const integration = await createIntegration(acme.client, 'Protected', ['AUTH-HTTP'], { url: `${receiver.url}/hook` });
  integrationId = integration.id;
  expect((await acme.client.post(`/v1/integrations/${integrationId}/start`)).status).toBe(200);
});
afterAll(async () => {
  await app.close();
  await receiver.close();
});

const mo = (to: string, messageId: string, extra: Record<string, unknown> = {}) => ({
  messageId,
  from: '5491100000888',
  to,
  text: 'forged?',
  ...extra,
});

describe('carrier inbound is scoped to the receiving connection', () => {
  it("refuses `to` = another connection's sender (422 NO_ROUTE naming nothing else) and delivers nothing", async () => {
    const forged = await carrierOf(app.baseUrl, sandbox).post(
      '/carriers/AUTH-SB/inbound',
      mo(protectedSender, 'forge-1'),
    );
    expect(forged.status).toBe(422);
    expect(forged.body.error.code).toBe('NO_ROUTE');
    expect(JSON.stringify(forged.body)).not.toMatch(/AUTH-HTTP|Protected/);
    // The sandbox's own sender has no claimant either: same answer.
    expect(
      (await carrierOf(app.baseUrl, sandbox).post('/carriers/AUTH-SB/inbound', mo(sandboxSender, 'forge-2'))).body.error
        .code,
    ).toBe('NO_ROUTE');

    // The genuine callback goes through, and is the only delivery.
    expect(
      (
        await carrierOf(app.baseUrl, http).post(
          '/carriers/AUTH-HTTP/inbound',
          mo(protectedSender, 'real-1', { text: 'real' }),
        )
      ).status,
    ).toBe(202);
    const [delivered] = await receiver.waitFor(1);
    expect(JSON.parse(delivered!.body).text).toBe('real');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.received).toHaveLength(1);
    const deliveries = await acme.client.get(`/v1/integrations/${integrationId}/deliveries`);
    expect(deliveries.body.items).toHaveLength(1);
  });
});

describe('carrier inbound needs the connection carrier secret', () => {
  const path = '/carriers/AUTH-HTTP/inbound';

  it("answers one and the same 401 to no secret, a wrong one, another connection's, and an unknown code", async () => {
    const answers = await Promise.all([
      apiClient(app.baseUrl).post(path, mo(protectedSender, 'auth-1')),
      apiClient(app.baseUrl, 'wrong-secret').post(path, mo(protectedSender, 'auth-2')),
      apiClient(app.baseUrl, sandbox.carrierSecret).post(path, mo(protectedSender, 'auth-3')),
      apiClient(app.baseUrl, 'x'.repeat(600)).post(path, mo(protectedSender, 'auth-4')),
      apiClient(app.baseUrl, http.carrierSecret).post('/carriers/NO-SUCH-CODE/inbound', mo(protectedSender, 'auth-5')),
      apiClient(app.baseUrl).post('/carriers/NO-SUCH-CODE/inbound', mo(protectedSender, 'auth-6')),
    ]);
    for (const answer of answers) {
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual(answers[0]!.body);
    }
    expect(answers[0]!.body.error.code).toBe('UNAUTHORIZED');
  });

  it('reads the connection for a wrong secret as for an unknown code, even while the right one is cached', async () => {
    // Database commands on the connections collection, from this process's own metrics.
    const connectionReads = async () => {
      const metrics = await app.runtime.metrics.registry.getSingleMetricAsString('chathook_db_command_seconds');
      const line = metrics
        .split('\n')
        .find(
          (row) =>
            row.startsWith('chathook_db_command_seconds_count{') &&
            row.includes('command="find"') &&
            row.includes('collection="connections"') &&
            row.includes('outcome="ok"'),
        );
      return Number(line?.split(' ').pop() ?? 0);
    };
    const genuine = carrierOf(app.baseUrl, http);
    expect((await genuine.post(path, mo(protectedSender, 'cache-1'))).status).toBe(202);
    const afterFirst = await connectionReads();
    expect((await genuine.post(path, mo(protectedSender, 'cache-2'))).status).toBe(202);
    expect(await connectionReads()).toBe(afterFirst);
    expect((await apiClient(app.baseUrl, 'wrong-secret').post(path, mo(protectedSender, 'cache-3'))).status).toBe(401);
    expect(await connectionReads()).toBe(afterFirst + 1);
    expect(
      (
        await apiClient(app.baseUrl, 'wrong-secret').post(
          '/carriers/NO-SUCH-CODE/inbound',
          mo(protectedSender, 'cache-4'),
        )
      ).status,
    ).toBe(401);
    expect(await connectionReads()).toBe(afterFirst + 2);
  });

  it('authenticates sandbox callbacks too', async () => {
    expect((await apiClient(app.baseUrl).post('/carriers/AUTH-SB/inbound', mo(sandboxSender, 'sb-1'))).status).toBe(
      401,
    );
  });

  it('authenticates before reading the body: a malformed unauthenticated callback is a 401, not a 400', async () => {
    const bad = { messageId: '', from: 'abc', to: protectedSender, extra: 1 };
    expect((await apiClient(app.baseUrl).post(path, bad)).status).toBe(401);
    expect((await apiClient(app.baseUrl).post('/carriers/NO-SUCH-CODE/inbound', bad)).status).toBe(401);
    const authenticated = await carrierOf(app.baseUrl, http).post(path, bad);
    expect(authenticated.status).toBe(400);
    expect(authenticated.body.error.code).toBe('VALIDATION_ERROR');
  });

  it('bounds every field of the callback (SPEC 3): 400 naming the field', async () => {
    const carrier = carrierOf(app.baseUrl, http);
    const cases: Array<[string, Record<string, unknown>]> = [
      ['messageId', mo(protectedSender, 'm'.repeat(201))],
      ['from', mo(protectedSender, 'size-from', { from: ` ${'5'.repeat(15)}${' '.repeat(20)}` })],
      ['to', mo(`${protectedSender}${'1'.repeat(40)}`, 'size-to')],
      ['text', mo(protectedSender, 'size-text', { text: 'x'.repeat(4097) })],
      ['media.url', mo(protectedSender, 'size-url', { media: { url: `https://cdn.example/${'a'.repeat(2040)}` } })],
      [
        'media.caption',
        mo(protectedSender, 'size-caption', { media: { url: 'https://cdn.example/a.png', caption: 'c'.repeat(1025) } }),
      ],
    ];
    for (const [field, body] of cases) {
      const answer = await carrier.post(path, body);
      expect(answer.status, field).toBe(400);
      expect(
        answer.body.error.fields.map((problem: { path: string }) => problem.path),
        field,
      ).toContain(field);
    }
    const largest = await carrier.post(
      path,
      mo(protectedSender, 'm'.repeat(200), {
        text: 'x'.repeat(4096),
        media: { url: 'https://cdn.example/a.png', caption: 'c'.repeat(1024) },
      }),
    );
    expect(largest.status).toBe(202);
  });
});
