/**
 * Every operation authenticates its caller before it reads the body: a stranger's malformed or
 * invalid body is a 401, never a 400 that tells them what the API would have accepted. The same
 * body from an authenticated caller is still a 400.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiClient,
  startTestApp,
  type ApiClient,
  type ProvisionedConnection,
  type TestApp,
} from '../support/harness.js';
import { carrierOf, createIntegration, uniqueSender } from '../support/fixtures.js';

let app: TestApp;
let acme: { id: string; apiKey: string; client: ApiClient };
let connection: ProvisionedConnection;
let integration: { id: string; responseToken: string };

beforeAll(async () => {
  app = await startTestApp();
  acme = await app.tenant('Acme');
  connection = await app.provisionConnection(acme.id, {
    code: 'ABB-HTTP',
    channel: 'SMS',
    senders: [uniqueSender()],
    carrier: { type: 'http', url: 'http://127.0.0.1:9/send', secret: 'the-abb-carrier-secret' },
  });
  integration = await createIntegration(acme.client, 'Auth first', ['ABB-HTTP']);
});
afterAll(async () => {
  await app.close();
});

const malformed = (client: ApiClient, path: string) =>
  client.raw(path, { method: 'POST', body: '{', headers: { 'content-type': 'application/json' } });

/** Token-less, wrong-token: `{}`, a malformed body and a wrong shape all answer 401 UNAUTHORIZED. */
async function expectUnauthorized(client: ApiClient, path: string) {
  for (const answer of [
    await client.post(path, {}),
    await malformed(client, path),
    await client.post(path, { type: 'NOPE', extra: 1 }),
  ]) {
    expect(answer.status, path).toBe(401);
    expect(answer.body.error.code, path).toBe('UNAUTHORIZED');
  }
}

describe('authenticate before parsing', () => {
  it('the response webhook answers a token-less or wrong-token bad body with 401', async () => {
    const path = `/integrations/live-chat/${integration.id}/chats/5491122334455/events`;
    await expectUnauthorized(apiClient(app.baseUrl), path);
    await expectUnauthorized(apiClient(app.baseUrl, 'not-a-response-token'), path);
    const authenticated = apiClient(app.baseUrl, integration.responseToken);
    const empty = await authenticated.post(path, {});
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe('VALIDATION_ERROR');
    expect((await malformed(authenticated, path)).body.error.code).toBe('INVALID_JSON');
  });

  it('carrier callbacks answer a secret-less or wrong-secret bad body with 401', async () => {
    const path = '/carriers/ABB-HTTP/inbound';
    await expectUnauthorized(apiClient(app.baseUrl), path);
    await expectUnauthorized(apiClient(app.baseUrl, 'wrong-secret-wrong-secret'), path);
    await expectUnauthorized(apiClient(app.baseUrl), '/carriers/NO-SUCH-CODE/inbound');
    const authenticated = carrierOf(app.baseUrl, connection);
    const empty = await authenticated.post(path, {});
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe('VALIDATION_ERROR');
    expect((await malformed(authenticated, path)).body.error.code).toBe('INVALID_JSON');
  });

  it('a /v1 POST answers a key-less or wrong-key bad body with 401', async () => {
    const path = '/v1/integrations';
    await expectUnauthorized(apiClient(app.baseUrl), path);
    await expectUnauthorized(apiClient(app.baseUrl, 'not-an-api-key'), path);
    const empty = await acme.client.post(path, {});
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe('VALIDATION_ERROR');
    expect((await malformed(acme.client, path)).body.error.code).toBe('INVALID_JSON');
  });
});
