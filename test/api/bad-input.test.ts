import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type ApiClient, type TestApp } from '../support/harness.js';

let app: TestApp;
let acme: ApiClient;

beforeAll(async () => {
  app = await startTestApp();
  acme = (await app.tenant('Acme')).client;
});
afterAll(async () => {
  await app.close();
});

const valid = { alias: 'A', method: 'POST', url: 'https://client.example/hook' };

async function integrationCount() {
  return app.models.Integration.countDocuments({});
}

describe('bad input never answers 500 and changes nothing', () => {
  const cases: Array<[string, RequestInit, number, string]> = [
    ['malformed JSON', { body: '{"alias": ', headers: { 'content-type': 'application/json' } }, 400, 'INVALID_JSON'],
    ['a JSON string', { body: '"hello"', headers: { 'content-type': 'application/json' } }, 400, 'INVALID_JSON'],
    ['an array', { body: '[1,2]', headers: { 'content-type': 'application/json' } }, 400, 'VALIDATION_ERROR'],
    [
      'wrong types',
      { body: JSON.stringify({ ...valid, alias: 42, params: 'x' }), headers: { 'content-type': 'application/json' } },
      400,
      'VALIDATION_ERROR',
    ],
    [
      'unknown fields',
      { body: JSON.stringify({ ...valid, admin: true }), headers: { 'content-type': 'application/json' } },
      400,
      'VALIDATION_ERROR',
    ],
    [
      '__proto__ at the top',
      {
        body: `{"alias":"A","method":"POST","url":"https://c.example/","__proto__":{"status":"ACTIVE"}}`,
        headers: { 'content-type': 'application/json' },
      },
      400,
      'VALIDATION_ERROR',
    ],
    [
      '__proto__ in a field',
      {
        body: `{"alias":"A","method":"POST","url":"https://c.example/","params":[{"key":"k","type":"TEXT","value":"v","__proto__":{"x":1}}]}`,
        headers: { 'content-type': 'application/json' },
      },
      400,
      'VALIDATION_ERROR',
    ],
    [
      '__proto__ as a body key',
      {
        body: JSON.stringify({ ...valid, body: [{ key: '__proto__.polluted', type: 'TEXT', value: 'yes' }] }),
        headers: { 'content-type': 'application/json' },
      },
      400,
      'VALIDATION_ERROR',
    ],
    [
      'constructor.prototype body key',
      {
        body: JSON.stringify({ ...valid, body: [{ key: 'constructor.prototype.x', type: 'TEXT', value: 'yes' }] }),
        headers: { 'content-type': 'application/json' },
      },
      400,
      'VALIDATION_ERROR',
    ],
    [
      'a huge string',
      {
        body: JSON.stringify({ ...valid, alias: 'x'.repeat(200_000) }),
        headers: { 'content-type': 'application/json' },
      },
      400,
      'VALIDATION_ERROR',
    ],
    [
      'too many rows',
      {
        body: JSON.stringify({
          ...valid,
          params: Array.from({ length: 51 }, (_, index) => ({ key: `k${index}`, type: 'TEXT', value: 'v' })),
        }),
        headers: { 'content-type': 'application/json' },
      },
      400,
      'VALIDATION_ERROR',
    ],
    [
      'a body over 1 MB',
      {
        body: JSON.stringify({ ...valid, alias: 'x'.repeat(1_100_000) }),
        headers: { 'content-type': 'application/json' },
      },
      413,
      'PAYLOAD_TOO_LARGE',
    ],
    [
      'form data',
      { body: 'alias=A', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    ['no body at all', {}, 400, 'VALIDATION_ERROR'],
    ['null', { body: 'null', headers: { 'content-type': 'application/json' } }, 400, 'INVALID_JSON'],
    [
      'deeply nested JSON',
      { body: `${'['.repeat(5000)}${']'.repeat(5000)}`, headers: { 'content-type': 'application/json' } },
      400,
      'VALIDATION_ERROR',
    ],
  ];

  it.each(cases)('%s', async (_name, init, status, code) => {
    const before = await integrationCount();
    const response = await acme.raw('/v1/integrations', { method: 'POST', ...init });
    expect(response.status).toBe(status);
    expect(response.body.error.code).toBe(code);
    expect(typeof response.body.error.message).toBe('string');
    expect(await integrationCount()).toBe(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).status).toBeUndefined();
  });

  it('rejects bad input on PUT without touching the stored integration', async () => {
    const created = await acme.post('/v1/integrations', valid);
    const before = await app.models.Integration.findById(created.body.id).lean();
    const response = await acme.raw(`/v1/integrations/${created.body.id}`, {
      method: 'PUT',
      body: '{"alias":',
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(400);
    const invalid = await acme.put(`/v1/integrations/${created.body.id}`, {
      ...valid,
      method: 'GET',
      body: [{ key: 'a', type: 'TEXT', value: 'b' }],
    });
    expect(invalid.status).toBe(400);
    expect(await app.models.Integration.findById(created.body.id).lean()).toEqual(before);
  });

  it('lists every bad field at once, the rules between fields included', async () => {
    const response = await acme.post('/v1/integrations', {
      alias: '   ',
      method: 'PATCH',
      url: 'ftp://client.example/hook',
    });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('VALIDATION_ERROR');
    expect(response.body.error.fields.map((field: { path: string }) => field.path).sort()).toEqual([
      'alias',
      'method',
      'url',
    ]);

    const more = await acme.post('/v1/integrations', {
      alias: 'A',
      method: 'GET',
      url: 'not a url',
      headers: [{ key: 'Host', type: 'TEXT', value: 'x' }],
      body: [{ key: 'a', type: 'VARIABLE', value: '{{nope}}' }],
      connections: [{ code: 'SAME' }, { code: 'SAME' }],
    });
    expect(more.status).toBe(400);
    expect(more.body.error.fields.map((field: { path: string }) => field.path).sort()).toEqual([
      'body',
      'body.0.value',
      'connections.1.code',
      'headers.0.key',
      'url',
    ]);
  });

  it('rejects a blank name and a repeated sender, as the published schema says', async () => {
    const blank = await acme.post('/v1/integrations', { ...valid, alias: ' \u00a0\t' });
    expect(blank.status).toBe(400);
    expect(blank.body.error.fields).toEqual([{ path: 'alias', message: 'must not be blank' }]);
    const repeated = await acme.post('/v1/connections', {
      code: 'REPEATS',
      channel: 'WHATSAPP',
      senders: ['5491100000001', '5491100000001', 'ALPHA'],
      carrier: { type: 'sandbox' },
    });
    expect(repeated.status).toBe(400);
    expect(repeated.body.error.fields.map((field: { path: string }) => field.path)).toEqual(['senders.1', 'senders.2']);
  });
});
