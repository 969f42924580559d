import { describe, expect, it } from 'vitest';
import { renderWebhookRequest } from '../../../src/domain/render-webhook-request.js';
import {
  LARGEST_MESSAGE_EVENT,
  MAX_RENDERED_REQUEST_BYTES,
  largestRenderedRequestBytes,
} from '../../../src/domain/rendered-request-size.js';
import {
  DEFAULT_BODY,
  TEMPLATE_VARIABLES,
  type Field,
  type WebhookAuth,
  type WebhookTemplate,
} from '../../../src/domain/webhook-template.js';

/** The bytes of what the renderer gives for the largest message: URL, header lines and body. */
function renderedBytes(template: WebhookTemplate): number {
  const request = renderWebhookRequest(template, LARGEST_MESSAGE_EVENT);
  const headerBytes = Object.entries(request.headers).reduce(
    (sum, [name, value]) => sum + Buffer.byteLength(`${name}: ${value}\r\n`),
    0,
  );
  return request.method.length + Buffer.byteLength(request.url) + headerBytes + Buffer.byteLength(request.body ?? '');
}

const variables = (prefix: string): Field[] =>
  TEMPLATE_VARIABLES.map((value, index) => ({ key: `${prefix}${index}`, type: 'VARIABLE', value }));

const longSecret = '\uD800'.repeat(4096);
const templates: Array<[string, WebhookTemplate]> = [
  [
    'the default body',
    {
      method: 'POST',
      url: 'https://client.example/hook',
      params: [],
      auth: { type: 'NONE' },
      headers: [],
      body: [...DEFAULT_BODY],
    },
  ],
  [
    'every variable everywhere, a query API key',
    {
      method: 'PUT',
      url: 'https://client.example/hook/ñ?existing=1 2#frag',
      params: [...variables('p'), { key: 'fixed key', type: 'TEXT', value: 'é "x" 😀' }],
      auth: { type: 'API_KEY', key: 'X-Key', value: longSecret, in: 'query' },
      headers: [...variables('X-V'), { key: 'X-Fixed', type: 'TEXT', value: 'plain' }],
      body: [...variables('b'), { key: 'list[7].deep[2][]', type: 'VARIABLE', value: '{{text}}' }],
    },
  ],
  [
    'a GET with a bearer token',
    {
      method: 'GET',
      url: 'https://client.example/hook',
      params: variables('q'),
      auth: { type: 'BEARER', token: longSecret },
      headers: [],
      body: [],
    },
  ],
  [
    'basic auth',
    {
      method: 'DELETE',
      url: 'https://client.example/',
      params: [],
      auth: { type: 'BASIC', username: 'ü'.repeat(200), password: longSecret },
      headers: [],
      body: [{ key: 'a[999]', type: 'TEXT', value: 'x' }],
    },
  ],
];

describe('largestRenderedRequestBytes', () => {
  it.each(templates)('bounds what the renderer gives for the largest message: %s', (_name, template) => {
    const { bytes } = largestRenderedRequestBytes(template);
    const rendered = renderedBytes(template);
    expect(bytes).toBeGreaterThanOrEqual(rendered);
    // The bound is tight: the URL counted at three bytes a character and a fixed allowance for chathook's own headers.
    expect(bytes - rendered).toBeLessThan(2048 + Buffer.byteLength(template.url) * 3);
  });

  it('counts a secret at its maximum length whatever it is, so a masked or stored one measures the same', () => {
    const base = templates[0]![1];
    const measure = (auth: WebhookAuth) => largestRenderedRequestBytes({ ...base, auth }).bytes;
    expect(measure({ type: 'BEARER', token: 'short' })).toBe(measure({ type: 'BEARER', token: longSecret }));
    expect(measure({ type: 'BEARER', token: '********' })).toBeGreaterThan(measure({ type: 'NONE' }) + 4096);
  });

  it('names the part that weighs most', () => {
    const texts = (count: number): Field[] =>
      Array.from({ length: count }, (_, index) => ({ key: `t${index}`, type: 'VARIABLE', value: '{{text}}' }));
    const base: WebhookTemplate = {
      method: 'POST',
      url: 'https://client.example/',
      params: [],
      auth: { type: 'NONE' },
      headers: [],
      body: [],
    };
    expect(largestRenderedRequestBytes({ ...base, body: texts(11) })).toMatchObject({ largestPart: 'body' });
    expect(largestRenderedRequestBytes({ ...base, body: texts(11) }).bytes).toBeGreaterThan(MAX_RENDERED_REQUEST_BYTES);
    expect(largestRenderedRequestBytes({ ...base, body: texts(10) }).bytes).toBeLessThan(MAX_RENDERED_REQUEST_BYTES);
    expect(largestRenderedRequestBytes({ ...base, params: texts(8) })).toMatchObject({ largestPart: 'params' });
    expect(largestRenderedRequestBytes({ ...base, headers: texts(3) })).toMatchObject({ largestPart: 'headers' });
  });
});
