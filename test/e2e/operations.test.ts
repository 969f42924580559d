import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatWorkflowId } from '../../workflows/contract/ids.js';
import { apiClient, startTestApp, type ApiClient, type TestApp } from '../support/harness.js';
import { carrierOf, createConnection, uniqueSender } from '../support/fixtures.js';
import { startHttpPeer, type HttpPeer } from '../support/http-peer.js';

let app: TestApp;
let acme: ApiClient;
let receiver: HttpPeer;

beforeAll(async () => {
  // The SSRF guard on, as in production: loopback webhook targets are refused.
  app = await startTestApp({ worker: true, env: { WEBHOOK_ALLOW_PRIVATE: 'false', DELIVERY_RETRY_INITIAL: '200ms' } });
  acme = (await app.tenant('Acme')).client;
  receiver = await startHttpPeer();
});
afterAll(async () => {
  await app.close();
  await receiver.close();
});

describe('operations', () => {
  it('refuses a webhook on a loopback address, records why, and serves metrics; chats are searchable', async () => {
    const sender = uniqueSender();
    const connection = await createConnection(acme, 'OPS', [sender]);
    // A literal loopback URL is refused when configured (400 naming url); stored anyway (as an
    // older record or a database edit holds it), the delivery refuses it too.
    const refused = await acme.post('/v1/integrations', {
      alias: 'Ops',
      method: 'POST',
      url: `${receiver.url}/ops`,
      connections: [{ code: 'OPS' }],
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.fields).toEqual([expect.objectContaining({ path: 'url' })]);
    const integration = await acme.post('/v1/integrations', {
      alias: 'Ops',
      method: 'POST',
      url: 'https://hooks.example.com/ops',
      connections: [{ code: 'OPS' }],
    });
    expect(integration.status).toBe(201);
    await app.models.Integration.updateOne({ _id: integration.body.id }, { $set: { url: `${receiver.url}/ops` } });
    await acme.post(`/v1/integrations/${integration.body.id}/start`);
    const inbound = await carrierOf(app.baseUrl, connection).post('/carriers/OPS/inbound', {
      messageId: 'o1',
      from: '5491100000095',
      to: sender,
      text: 'hi',
    });
    expect(inbound.status).toBe(202);

    const deliveries = async (): Promise<Array<{ status: string; attempts: Array<{ error: string }> }>> =>
      (await acme.get(`/v1/integrations/${integration.body.id}/deliveries`)).body.items;
    await expect.poll(async () => (await deliveries())[0]?.status, { timeout: 20_000, interval: 200 }).toBe('FAILED');
    const [failed] = await deliveries();
    expect(failed!.attempts).toHaveLength(1);
    expect(failed!.attempts[0]!.error).toMatch(/refusing to connect to 127\.0\.0\.1 \(loopback/);
    expect(receiver.received).toHaveLength(0);

    // The worker counts the failure just after recording it.
    const scrape = () => fetch(`${app.baseUrl}/metrics`).then((response) => response.text());
    await expect
      .poll(scrape, { timeout: 10_000, interval: 200 })
      .toContain('chathook_webhook_deliveries_total{outcome="failed"} 1');
    const metrics = await scrape();
    expect(metrics).toContain(
      'chathook_http_requests_total{method="POST",route="/carriers/:connectionCode/inbound",status="202"} 1',
    );
    expect(metrics).toMatch(/chathook_open_chats \d+/);
    expect(metrics).toContain('chathook_webhook_delivery_seconds_bucket');

    // Operators filter chats by integration and status in the Temporal UI (visibility is eventually consistent).
    const query = `ChathookIntegrationId = '${integration.body.id}' AND ChathookChatStatus = 'OPEN'`;
    const found = async () => {
      const ids: string[] = [];
      for await (const execution of app.runtime.temporal.client.workflow.list({ query }))
        ids.push(execution.workflowId);
      return ids;
    };
    await expect
      .poll(found, { timeout: 15_000, interval: 200 })
      .toEqual([chatWorkflowId(integration.body.id, '5491100000095')]);
  });
});
