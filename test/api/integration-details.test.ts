import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, startTestApp, type ApiClient, type TestApp } from '../support/harness.js';
import { createConnection, createIntegration, uniqueSender } from '../support/fixtures.js';

let app: TestApp;
let acme: ApiClient;
let smsSender: string;
let integration: { id: string; responseToken: string };
let echo: Server;
let echoUrl: string;
let echoed: { headers: Record<string, unknown>; body: string } | undefined;

beforeAll(async () => {
  app = await startTestApp({ worker: true });
  acme = (await app.tenant('Acme')).client;
  smsSender = uniqueSender();
  await createConnection(acme, 'TRY-SMS', [smsSender]);
  await createConnection(acme, 'TRY-WA', ['584123149352'], 'WHATSAPP');
  integration = await createIntegration(acme, 'Try', ['TRY-SMS', 'TRY-WA']);
  echo = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      echoed = { headers: req.headers, body };
      res.writeHead(202, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', () => resolve()));
  echoUrl = `http://127.0.0.1:${(echo.address() as { port: number }).port}`;
});
afterAll(async () => {
  echo.close();
  await app.close();
});

/** What SPEC 7 says PUBLIC_BASE_URL defaults to: http://localhost:$PORT. */
const localBase = () => `http://localhost:${new URL(app.baseUrl).port}`;

/** A request with a Host header of the caller's choosing (fetch does not let one set it). */
function withHost(
  path: string,
  host: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; text: string }> {
  const url = new URL(path, app.baseUrl);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: body === undefined ? 'GET' : 'POST',
        headers: {
          host,
          authorization: `Bearer ${token}`,
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

// Asynchronous on purpose: the API under test runs in this very process.
const runInBash = async (command: string) =>
  (await promisify(execFile)('bash', ['-c', `${command} -w '\\n%{http_code}'`], { encoding: 'utf8' })).stdout;

describe('API details', () => {
  it('shows the response endpoint, headers with the response token, body schemas and every status', async () => {
    const details = await acme.get(`/v1/integrations/${integration.id}/api-details`);
    expect(details.status).toBe(200);
    expect(details.body.endpoint).toEqual({
      method: 'POST',
      url: `${localBase()}/integrations/live-chat/${integration.id}/chats/{chatIdentifier}/events`,
    });
    expect(details.body.headers[0]).toMatchObject({
      name: 'Authorization',
      value: `Bearer ${integration.responseToken}`,
    });
    expect(details.body.bodySchemas.SMS.properties.channel.properties).toHaveProperty('route');
    expect(details.body.bodySchemas.SMS.properties.channel.properties).toHaveProperty('connection');
    expect(details.body.bodySchemas.WHATSAPP.properties.channel.properties).toHaveProperty('sender');
    expect(details.body.bodySchemas.SMS.properties.msg.maxLength).toBe(4096);
    expect(details.body.responses.map((response: { status: number }) => response.status)).toEqual([
      202, 400, 401, 403, 404, 409, 409, 413, 422, 429, 503,
    ]);
  });
});

describe('base URL without PUBLIC_BASE_URL', () => {
  it('names http://localhost:<port>, never the Host header the caller sent', async () => {
    const key = (await app.tenant('HostHeader')).apiKey;
    const host = apiClient(app.baseUrl, key);
    await createConnection(host, 'HOST-SMS', [uniqueSender()]);
    const own = await createIntegration(host, 'Host', ['HOST-SMS']);
    const details = await withHost(`/v1/integrations/${own.id}/api-details`, 'evil.example', key);
    expect(details.status).toBe(200);
    expect(details.text).not.toContain('evil.example');
    expect(JSON.parse(details.text).endpoint.url).toBe(
      `${localBase()}/integrations/live-chat/${own.id}/chats/{chatIdentifier}/events`,
    );
    const tryOut = await withHost(`/v1/integrations/${own.id}/try-out`, 'evil.example:8443', key, {
      contact: '5491122334455',
      connection: 'HOST-SMS',
      type: 'MESSAGE',
      msg: 'hi',
    });
    expect(tryOut.status).toBe(200);
    expect(tryOut.text).not.toContain('evil.example');
    expect(JSON.parse(tryOut.text).curl).toContain(`${localBase()}/integrations/live-chat/${own.id}/chats/`);
  });
});

describe('Try Out', () => {
  const tricky = `It's "quoted" $HOME \`whoami\` \\ back\nnew line ; rm -rf / # ünïcödé 👋`;

  it('builds a cURL that bash runs as is, sending exactly the message', async () => {
    const tryOut = await acme.post(`/v1/integrations/${integration.id}/try-out`, {
      contact: '5491122334455',
      connection: 'TRY-SMS',
      type: 'MESSAGE',
      msg: tricky,
    });
    expect(tryOut.status).toBe(200);
    expect(tryOut.body.body).toEqual({
      type: 'MESSAGE',
      channel: { type: 'SMS', route: smsSender, connection: 'TRY-SMS' },
      msg: tricky,
    });

    // Against a loopback echo server: the bytes that arrive are the message, untouched by the shell.
    const echoedOutput = await runInBash(tryOut.body.curl.replace(localBase(), echoUrl));
    expect(echoedOutput.trim().endsWith('202')).toBe(true);
    expect(JSON.parse(echoed!.body)).toEqual(tryOut.body.body);
    expect(echoed!.headers.authorization).toBe(`Bearer ${integration.responseToken}`);
    expect(echoed!.headers['content-type']).toBe('application/json');

    // Against the running API: the integration is inactive, so the endpoint answers 409.
    const inactive = await runInBash(tryOut.body.curl);
    expect(inactive.trim().split('\n').pop()).toBe('409');
    expect(JSON.parse(inactive.trim().split('\n')[0]!).error.code).toBe('INTEGRATION_INACTIVE');

    // Active, but the contact has not written in: 404 CHAT_NOT_FOUND.
    expect((await acme.post(`/v1/integrations/${integration.id}/start`)).status).toBe(200);
    const noChat = await runInBash(tryOut.body.curl);
    expect(noChat.trim().split('\n').pop()).toBe('404');
    expect(JSON.parse(noChat.trim().split('\n')[0]!).error.code).toBe('CHAT_NOT_FOUND');
  });

  it('builds the WhatsApp body with the sender', async () => {
    const tryOut = await acme.post(`/v1/integrations/${integration.id}/try-out`, {
      contact: '5491122334455',
      connection: 'TRY-WA',
      type: 'MESSAGE',
      msg: 'hi',
    });
    expect(tryOut.body.body).toEqual({
      type: 'MESSAGE',
      channel: { type: 'WHATSAPP', sender: '584123149352' },
      msg: 'hi',
    });
  });

  it('validates its input', async () => {
    const unknown = await acme.post(`/v1/integrations/${integration.id}/try-out`, {
      contact: '5491122334455',
      connection: 'NOPE',
      type: 'MESSAGE',
      msg: 'hi',
    });
    expect(unknown.status).toBe(422);
    const bad = await acme.post(`/v1/integrations/${integration.id}/try-out`, {
      contact: '+54 91',
      connection: 'TRY-SMS',
      type: 'END',
      msg: '',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((field: { path: string }) => field.path).sort()).toEqual([
      'contact',
      'msg',
      'type',
    ]);
  });
});

describe('response webhook guards and token rotation', () => {
  const path = () => `/integrations/live-chat/${integration.id}/chats/5491122334455/events`;
  const sms = () => ({
    type: 'MESSAGE',
    channel: { type: 'SMS', route: smsSender, connection: 'TRY-SMS' },
    msg: 'hello',
  });

  it('answers 401 without a token, 403 with another integration token, 400 for a bad body', async () => {
    expect((await apiClient(app.baseUrl).post(path(), sms())).status).toBe(401);
    const other = await createIntegration(acme, 'Other', []);
    const forbidden = await apiClient(app.baseUrl, other.responseToken).post(path(), sms());
    expect(forbidden.status).toBe(403);
    const client = apiClient(app.baseUrl, integration.responseToken);
    const tooLong = await client.post(path(), { ...sms(), msg: 'x'.repeat(4097) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.fields[0].path).toBe('msg');
    const wrongShape = await client.post(path(), { type: 'MESSAGE', channel: { type: 'SMS', sender: '1' }, msg: 'x' });
    expect(wrongShape.status).toBe(400);
    expect(
      (await client.raw(path(), { method: 'POST', body: '{', headers: { 'content-type': 'application/json' } })).body
        .error.code,
    ).toBe('INVALID_JSON');
  });

  it('rotates the response token: the old one stops working', async () => {
    const rotated = await acme.post(`/v1/integrations/${integration.id}/rotate-token`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.responseToken).toMatch(/^crt_/);
    expect(rotated.body.responseToken).not.toBe(integration.responseToken);
    expect((await apiClient(app.baseUrl, integration.responseToken).post(path(), sms())).status).toBe(401);
    expect((await apiClient(app.baseUrl, rotated.body.responseToken).post(path(), sms())).status).toBe(404);
    const details = await acme.get(`/v1/integrations/${integration.id}/api-details`);
    expect(details.body.headers[0].value).toBe(`Bearer ${rotated.body.responseToken}`);
    integration.responseToken = rotated.body.responseToken;
  });
});
