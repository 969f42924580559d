import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, startTestApp, type ApiClient, type TestApp } from '../support/harness.js';
import { carrierOf, createConnection, uniqueSender } from '../support/fixtures.js';
import { startHttpPeer, type HttpPeer } from '../support/http-peer.js';
import { startWorkerProcess } from '../support/worker-process.js';

let app: TestApp;
let acme: ApiClient;
let receiver: HttpPeer;

beforeAll(async () => {
  // No in-process worker: the worker is the child process above. A 3 s first backoff leaves time to kill it mid-wait.
  app = await startTestApp({ worker: false, env: { DELIVERY_RETRY_INITIAL: '3s', DELIVERY_RETRY_MAX_INTERVAL: '3s' } });
  acme = (await app.tenant('Acme')).client;
  receiver = await startHttpPeer();
});
afterAll(async () => {
  await app.close();
  await receiver.close();
});

describe('a worker killed during a backoff', () => {
  it('once restarted, still delivers exactly the events it owed', { timeout: 180_000 }, async () => {
    let worker = (await startWorkerProcess(app.env)).child;
    const sender = uniqueSender();
    const connection = await createConnection(acme, 'CRASH', [sender]);
    const integration = await acme.post('/v1/integrations', {
      alias: 'Crash',
      method: 'POST',
      url: `${receiver.url}/crash`,
      connections: [{ code: 'CRASH' }],
    });
    expect((await acme.post(`/v1/integrations/${integration.body.id}/start`)).status).toBe(200);

    let failing = true;
    receiver.respondWith(() => (failing ? { status: 503 } : undefined));
    const carrier = carrierOf(app.baseUrl, connection);
    for (const text of ['one', 'two', 'three']) {
      expect(
        (await carrier.post('/carriers/CRASH/inbound', { messageId: text, from: '5491100000080', to: sender, text }))
          .status,
      ).toBe(202);
    }
    await receiver.waitFor(1);
    // The first attempt failed; the retry waits 3 s on the Temporal server. Kill the worker now.
    worker.kill('SIGKILL');
    await new Promise((resolve) => worker.once('exit', resolve));
    failing = false;
    worker = (await startWorkerProcess(app.env)).child;
    try {
      const texts = () =>
        receiver.received
          .filter((request) => request.url === '/crash')
          .map((request) => JSON.parse(request.body).text as string);
      await expect
        .poll(() => texts().filter((text) => text !== 'one').length, { timeout: 60_000, interval: 200 })
        .toBeGreaterThanOrEqual(2);
      // A moment more, so that a duplicate sent late would be seen.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      // "one" failed once (503) before the kill, then succeeded once; "two" and "three" once each, in order.
      expect(texts()).toEqual(['one', 'one', 'two', 'three']);
      // Each attempt is recorded after its answer arrives.
      const outcomes = async () =>
        (await acme.get(`/v1/integrations/${integration.body.id}/deliveries`)).body.items.map(
          (delivery: { status: string; attempts: Array<{ statusCode: number }> }) => [
            delivery.status,
            delivery.attempts.map((attempt) => attempt.statusCode),
          ],
        );
      await expect.poll(outcomes, { timeout: 15_000, interval: 200 }).toEqual([
        ['SUCCEEDED', [503, 200]],
        ['SUCCEEDED', [200]],
        ['SUCCEEDED', [200]],
      ]);
    } finally {
      worker.kill('SIGTERM');
      await new Promise((resolve) => worker.once('exit', resolve));
    }
  });
});
