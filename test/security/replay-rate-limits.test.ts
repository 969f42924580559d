/**
 * Issue "One tenant cannot slow another", item 1: replays are rate-limited per delivery
 * (RATE_LIMIT_REPLAYS_PER_DELIVERY_PER_MINUTE) and per integration
 * (RATE_LIMIT_REPLAYS_PER_INTEGRATION_PER_MINUTE), answering 429 RATE_LIMITED with Retry-After.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type ApiClient, type TestApp } from '../support/harness.js';
import { carrierOf, createConnection, uniqueSender } from '../support/fixtures.js';
import { startHttpPeer, type HttpPeer } from '../support/http-peer.js';

let app: TestApp;
let acme: ApiClient;
let receiver: HttpPeer;

beforeAll(async () => {
  app = await startTestApp({
    worker: true,
    env: { RATE_LIMIT_REPLAYS_PER_DELIVERY_PER_MINUTE: '3', RATE_LIMIT_REPLAYS_PER_INTEGRATION_PER_MINUTE: '5' },
  });
  acme = (await app.tenant('Acme')).client;
  receiver = await startHttpPeer();
}, 60_000);
afterAll(async () => {
  await app?.close();
  await receiver?.close();
});

/** An active integration with `count` delivered MOs: their delivery ids. */
async function deliveredIntegration(code: string, count: number) {
  const sender = uniqueSender();
  const carrier = carrierOf(app.baseUrl, await createConnection(acme, code, [sender]));
  const created = await acme.post('/v1/integrations', {
    alias: code,
    method: 'POST',
    url: `${receiver.url}/${code}`,
    connections: [{ code }],
  });
  expect(created.status).toBe(201);
  expect((await acme.post(`/v1/integrations/${created.body.id}/start`)).status).toBe(200);
  for (let index = 0; index < count; index++) {
    const from = `54911000006${String(index).padStart(2, '0')}`;
    const mo = { messageId: `${code}-${index}`, from, to: sender, text: 'hi' };
    expect((await carrier.post(`/carriers/${code}/inbound`, mo)).status).toBe(202);
  }
  const deliveries = async () =>
    (await acme.get(`/v1/integrations/${created.body.id}/deliveries`)).body.items as Array<{
      id: string;
      status: string;
    }>;
  await expect
    .poll(async () => (await deliveries()).filter((delivery) => delivery.status === 'SUCCEEDED').length, {
      timeout: 20_000,
    })
    .toBe(count);
  return { id: created.body.id as string, deliveryIds: (await deliveries()).map((delivery) => delivery.id) };
}

const expectLimited = (response: { status: number; body: any; headers: Headers }, scope: string) => {
  expect(response.status, JSON.stringify(response.body)).toBe(429);
  expect(response.body.error).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringContaining(scope) });
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
};

describe('replay rate limits (RATE_LIMIT_REPLAYS_*_PER_MINUTE)', () => {
  it(
    'answers the replay past the per-delivery, then the per-integration limit 429 RATE_LIMITED with Retry-After',
    {
      timeout: 60_000,
    },
    async () => {
      const integration = await deliveredIntegration('RL-REPLAY', 2);
      const [first, second] = integration.deliveryIds;
      const replay = (deliveryId: string) =>
        acme.post(`/v1/integrations/${integration.id}/deliveries/${deliveryId}/replay`);
      // A series may still run when the next replay comes: 409 REPLAY_IN_PROGRESS is not a 429.
      for (let call = 0; call < 3; call++) expect([200, 409]).toContain((await replay(first!)).status);
      expectLimited(await replay(first!), 'delivery');
      // The integration has counted four calls: the other delivery gets one more.
      expect([200, 409]).toContain((await replay(second!)).status);
      expectLimited(await replay(second!), 'integration');
    },
  );
});
