import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, startTestApp, type ApiClient, type ApiResponse, type TestApp } from '../support/harness.js';
import { carrierOf, createConnection, uniqueSender } from '../support/fixtures.js';
import { startHttpPeer, type HttpPeer } from '../support/http-peer.js';

let app: TestApp;
let acme: ApiClient;
let acmeId: string;
let receiver: HttpPeer;
let sequence = 0;

beforeAll(async () => {
  app = await startTestApp({
    worker: true,
    env: { DELIVERY_RETRY_INITIAL: '200ms', DELIVERY_RETRY_MAX_INTERVAL: '3s' },
  });
  ({ client: acme, id: acmeId } = await app.tenant('Acme'));
  receiver = await startHttpPeer();
});
afterAll(async () => {
  await app.close();
  await receiver.close();
});

/** An active integration on its own SMS sender, calling the receiver under `path`. */
async function activeIntegration(template: Record<string, unknown>) {
  sequence += 1;
  const code = `DLV-${sequence}`;
  const sender = uniqueSender();
  const carrier = carrierOf(app.baseUrl, await createConnection(acme, code, [sender]));
  const created = await acme.post('/v1/integrations', {
    alias: code,
    method: 'POST',
    url: `${receiver.url}/${code}`,
    connections: [{ code }],
    ...template,
  });
  expect(created.status).toBe(201);
  expect((await acme.post(`/v1/integrations/${created.body.id}/start`)).status).toBe(200);
  const path = `/${code}`;
  return {
    ...created.body,
    code,
    sender,
    path,
    requests: () => receiver.received.filter((request) => request.url.startsWith(path)),
    inbound: (from: string, text: string, messageId = `${code}-${text}`) =>
      carrier.post(`/carriers/${code}/inbound`, {
        messageId,
        from,
        to: sender,
        text,
        timestamp: '2026-11-26T10:00:00.000Z',
      }),
  } as {
    id: string;
    signingSecret: string;
    responseToken: string;
    code: string;
    sender: string;
    path: string;
    requests: () => typeof receiver.received;
    inbound: (from: string, text: string, messageId?: string) => Promise<ApiResponse>;
  };
}

async function until<T>(probe: () => T | Promise<T>, ok: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const deliveriesOf = async (integrationId: string, query = '') =>
  (await acme.get(`/v1/integrations/${integrationId}/deliveries${query}`)).body.items;

describe('rendered requests', () => {
  it('POST with params, Basic auth, headers and a nested body, exactly as configured and signed', async () => {
    const integration = await activeIntegration({
      url: `${receiver.url}/DLV-${sequence + 1}?fixed=1`,
      params: [
        { key: 'chat', type: 'VARIABLE', value: '{{chatId}}' },
        { key: 'src', type: 'TEXT', value: 'chat hook' },
      ],
      auth: { type: 'BASIC', username: 'user', password: 'pa:ss' },
      headers: [
        { key: 'X-Sender', type: 'VARIABLE', value: '{{sender}}' },
        { key: 'X-Team', type: 'TEXT', value: 'care' },
      ],
      body: [
        { key: 'conversation.id', type: 'VARIABLE', value: '{{chatId}}' },
        { key: 'conversation.channel', type: 'VARIABLE', value: '{{channel}}' },
        { key: 'message.text', type: 'VARIABLE', value: '{{text}}' },
        { key: 'message.at', type: 'VARIABLE', value: '{{timestamp}}' },
        { key: 'tags[]', type: 'TEXT', value: 'sms' },
        { key: 'tags[]', type: 'VARIABLE', value: '{{event}}' },
        { key: 'media[0].url', type: 'VARIABLE', value: '{{multimedia.url}}' },
      ],
    });
    const inbound = await integration.inbound('5491100000010', 'hello there');
    expect(inbound.status).toBe(202);
    const chatId = inbound.body.chatId;
    const [request] = await until(integration.requests, (requests) => requests.length >= 1);
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe(`${integration.path}?fixed=1&chat=${chatId}&src=chat%20hook`);
    expect(request!.headers.authorization).toBe(`Basic ${Buffer.from('user:pa:ss').toString('base64')}`);
    expect(request!.headers['x-sender']).toBe(integration.sender);
    expect(request!.headers['x-team']).toBe('care');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['user-agent']).toMatch(/^chathook\/\d+\.\d+\.\d+$/);
    expect(JSON.parse(request!.body)).toEqual({
      conversation: { id: chatId, channel: 'SMS' },
      message: { text: 'hello there', at: '2026-11-26T10:00:00.000Z' },
      tags: ['sms', 'MESSAGE'],
      media: [{ url: null }],
    });
    expect(() =>
      new Webhook(integration.signingSecret).verify(request!.body, request!.headers as Record<string, string>),
    ).not.toThrow();
    expect(() =>
      new Webhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`).verify(
        request!.body,
        request!.headers as Record<string, string>,
      ),
    ).toThrow();
  });

  it('GET with an API key in the query: no body, no Content-Type', async () => {
    const integration = await activeIntegration({
      method: 'GET',
      body: [],
      auth: { type: 'API_KEY', key: 'api_key', value: 'k&v', in: 'query' },
      params: [{ key: 'text', type: 'VARIABLE', value: '{{text}}' }],
    });
    await integration.inbound('5491100000011', 'ñandú 👋');
    const [request] = await until(integration.requests, (requests) => requests.length >= 1);
    expect(request!.method).toBe('GET');
    expect(request!.url).toBe(`${integration.path}?text=${encodeURIComponent('ñandú 👋')}&api_key=k%26v`);
    expect(request!.body).toBe('');
    expect(request!.headers['content-type']).toBeUndefined();
    expect(() =>
      new Webhook(integration.signingSecret).verify('', request!.headers as Record<string, string>),
    ).not.toThrow();
  });

  it('PUT with a Bearer token and DELETE with an API key header, both with the default body', async () => {
    const put = await activeIntegration({ method: 'PUT', auth: { type: 'BEARER', token: 'tok-123' } });
    const del = await activeIntegration({
      method: 'DELETE',
      auth: { type: 'API_KEY', key: 'X-Api-Key', value: 'secret-key' },
    });
    const putChat = (await put.inbound('5491100000012', 'p')).body.chatId;
    await del.inbound('5491100000013', 'd');
    const [putRequest] = await until(put.requests, (requests) => requests.length >= 1);
    const [delRequest] = await until(del.requests, (requests) => requests.length >= 1);
    expect(putRequest!.method).toBe('PUT');
    expect(putRequest!.headers.authorization).toBe('Bearer tok-123');
    expect(JSON.parse(putRequest!.body)).toEqual({
      chatId: putChat,
      contact: '5491100000012',
      event: 'MESSAGE',
      text: 'p',
      multimedia: { url: null, caption: null },
    });
    expect(delRequest!.method).toBe('DELETE');
    expect(delRequest!.headers['x-api-key']).toBe('secret-key');
    expect(JSON.parse(delRequest!.body)).toMatchObject({ event: 'MESSAGE', text: 'd' });
  });
});

describe('retries and ordering', () => {
  it('retries 503, 503 then succeeds, with the same webhook-id on every attempt', async () => {
    const integration = await activeIntegration({});
    let calls = 0;
    receiver.respondWith((request) =>
      request.url.startsWith(integration.path) && (calls += 1) <= 2 ? { status: 503 } : undefined,
    );
    await integration.inbound('5491100000020', 'retry me');
    const requests = await until(integration.requests, (list) => list.length >= 3);
    receiver.respondWith(() => undefined);
    expect(new Set(requests.map((request) => request.headers['webhook-id'])).size).toBe(1);
    const [delivery] = await until(
      () => deliveriesOf(integration.id),
      (items) => items[0]?.status === 'SUCCEEDED',
    );
    expect(delivery.id).toBe(requests[0]!.headers['webhook-id']);
    expect(delivery.attempts.map((attempt: { statusCode: number }) => attempt.statusCode)).toEqual([503, 503, 200]);
    expect(delivery.attempts[0]).toMatchObject({ error: 'the endpoint answered 503', durationMs: expect.any(Number) });
  });

  it('honours Retry-After on a 429', async () => {
    const integration = await activeIntegration({});
    let calls = 0;
    receiver.respondWith((request) =>
      request.url.startsWith(integration.path) && (calls += 1) === 1
        ? { status: 429, headers: { 'retry-after': '2' } }
        : undefined,
    );
    await integration.inbound('5491100000021', 'slow down');
    const requests = await until(integration.requests, (list) => list.length >= 2);
    receiver.respondWith(() => undefined);
    // The policy alone would retry after about 200 ms; the receiver asked for 2 s.
    expect(requests[1]!.at - requests[0]!.at).toBeGreaterThanOrEqual(1_900);
  });

  it('fails a 400 at once, and the next event of the chat still goes', async () => {
    const integration = await activeIntegration({});
    receiver.respondWith((request) =>
      request.url.startsWith(integration.path) && request.body.includes('"bad"') ? { status: 400 } : undefined,
    );
    await integration.inbound('5491100000022', 'bad');
    await integration.inbound('5491100000022', 'good');
    const requests = await until(integration.requests, (list) => list.length >= 2);
    receiver.respondWith(() => undefined);
    expect(requests.map((request) => JSON.parse(request.body).text)).toEqual(['bad', 'good']);
    const items = await until(
      () => deliveriesOf(integration.id),
      (list) => list.length === 2 && list.every((item: { status: string }) => item.status !== 'PENDING'),
    );
    expect(items.map((item: { status: string; attempts: unknown[] }) => [item.status, item.attempts.length])).toEqual([
      ['FAILED', 1],
      ['SUCCEEDED', 1],
    ]);
    expect((await deliveriesOf(integration.id, '?status=FAILED')).map((item: { event: string }) => item.event)).toEqual(
      ['MESSAGE'],
    );
  });

  it('keeps strict order per chat under a slow receiver, and chats independent of each other', async () => {
    const slow = await activeIntegration({});
    const fast = await activeIntegration({});
    receiver.respondWith((request) => (request.url.startsWith(slow.path) ? { status: 200, delayMs: 400 } : undefined));
    for (const text of ['1', '2', '3', '4', '5']) expect((await slow.inbound('5491100000030', text)).status).toBe(202);
    await fast.inbound('5491100000031', 'quick');
    const [quick] = await until(fast.requests, (list) => list.length >= 1);
    const slowRequests = await until(slow.requests, (list) => list.length >= 5);
    receiver.respondWith(() => undefined);
    expect(slowRequests.map((request) => JSON.parse(request.body).text)).toEqual(['1', '2', '3', '4', '5']);
    for (let index = 1; index < slowRequests.length; index += 1) {
      // Each event leaves only after the previous one was answered (400 ms later).
      expect(slowRequests[index]!.at - slowRequests[index - 1]!.at).toBeGreaterThanOrEqual(380);
    }
    // The other chat did not wait behind the slow one.
    expect(quick!.at).toBeLessThan(slowRequests[4]!.at);
  });

  it('accepts a retried carrier callback again and delivers it once', async () => {
    const integration = await activeIntegration({});
    const first = await integration.inbound('5491100000040', 'once', 'dup-1');
    const second = await integration.inbound('5491100000040', 'once', 'dup-1');
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body.chatId).toBe(first.body.chatId);
    await integration.inbound('5491100000040', 'after', 'dup-2');
    const requests = await until(integration.requests, (list) => list.length >= 2);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(integration.requests().map((request) => JSON.parse(request.body).text)).toEqual(['once', 'after']);
    expect(requests).toHaveLength(2);
  });

  it('replays a recorded delivery with the same webhook-id', async () => {
    const integration = await activeIntegration({});
    await integration.inbound('5491100000050', 'replay me');
    const [original] = await until(integration.requests, (list) => list.length >= 1);
    const [delivery] = await until(
      () => deliveriesOf(integration.id),
      (items) => items[0]?.status === 'SUCCEEDED',
    );
    const replayed = await acme.post(`/v1/integrations/${integration.id}/deliveries/${delivery.id}/replay`);
    expect(replayed.status).toBe(200);
    const requests = await until(integration.requests, (list) => list.length >= 2);
    expect(requests[1]!.headers['webhook-id']).toBe(original!.headers['webhook-id']);
    expect(requests[1]!.body).toBe(original!.body);
    const [after] = await until(
      () => deliveriesOf(integration.id),
      (items) => items[0]?.attempts.length === 2 && items[0].status === 'SUCCEEDED',
    );
    expect(after.attempts).toHaveLength(2);
    expect((await acme.post(`/v1/integrations/${integration.id}/deliveries/msg_nope/replay`)).status).toBe(404);
  });
});

describe('inbound routing', () => {
  it('answers 422 NO_ROUTE for a sender nobody claims, 401 for a wrong carrier secret, 400 for a bad body', async () => {
    const sender = uniqueSender();
    await app.provisionConnection(acmeId, {
      code: 'ROUTE-1',
      channel: 'SMS',
      senders: [sender],
      carrier: { type: 'http', url: 'http://127.0.0.1:9/', secret: 's3cret-s3cret-s3cret' },
    });
    const withSecret = apiClient(app.baseUrl, 's3cret-s3cret-s3cret');
    const noRoute = await withSecret.post('/carriers/ROUTE-1/inbound', {
      messageId: 'x',
      from: '5491100000060',
      to: sender,
      text: 'hi',
    });
    expect(noRoute.status).toBe(422);
    expect(noRoute.body.error.code).toBe('NO_ROUTE');
    expect(
      (
        await apiClient(app.baseUrl, 'wrong').post('/carriers/ROUTE-1/inbound', {
          messageId: 'x',
          from: '5491100000060',
          to: sender,
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await apiClient(app.baseUrl).post('/carriers/ROUTE-1/inbound', {
          messageId: 'x',
          from: '5491100000060',
          to: sender,
        })
      ).status,
    ).toBe(401);
    const bad = await withSecret.post('/carriers/ROUTE-1/inbound', {
      messageId: '',
      from: 'abc',
      to: sender,
      extra: 1,
    });
    expect(bad.status).toBe(400);
    // An unknown code is the same 401: codes cannot be probed.
    expect(
      (await withSecret.post('/carriers/NOPE/inbound', { messageId: 'x', from: '5491100000060', to: sender })).status,
    ).toBe(401);
  });
});
