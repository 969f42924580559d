import { describe, it, expect } from 'vitest';
import {
  TemplateRenderError,
  renderWebhookRequest,
  resolveTemplateVariable,
  validateWebhookTemplate,
} from '../../../src/domain/render-webhook-request.js';
import {
  DEFAULT_BODY,
  TEMPLATE_VARIABLES,
  type ChatEvent,
  type Field,
  type WebhookTemplate,
} from '../../../src/domain/webhook-template.js';

const messageEvent: ChatEvent = {
  chatId: 'chat-1',
  contact: '+15551230000',
  event: 'MESSAGE',
  text: 'Hello & welcome',
  multimedia: { url: 'https://cdn.example/img.png', caption: 'a cat' },
  sender: 'COMPANY',
  channel: 'SMS',
  timestamp: '2025-01-02T03:04:05.000Z',
};

const endEvent: ChatEvent = {
  ...messageEvent,
  event: 'END',
  text: null,
  multimedia: { url: null, caption: null },
  timestamp: '2025-01-02T04:00:00.000Z',
};

function template(overrides: Partial<WebhookTemplate> = {}): WebhookTemplate {
  return {
    method: 'POST',
    url: 'https://hooks.example.com/in',
    params: [],
    auth: { type: 'NONE' },
    headers: [],
    body: [],
    ...overrides,
  };
}

const text = (key: string, value: string): Field => ({ key, type: 'TEXT', value });
const variable = (key: string, value: string): Field => ({ key, type: 'VARIABLE', value });

function decodeBase64Utf8(encoded: string): string {
  return new TextDecoder().decode(Uint8Array.from(atob(encoded), (char) => char.charCodeAt(0)));
}

describe('resolveTemplateVariable', () => {
  it('resolves every variable of the catalog', () => {
    const resolved = Object.fromEntries(
      TEMPLATE_VARIABLES.map((name) => [name, resolveTemplateVariable(name, messageEvent)]),
    );
    expect(resolved).toEqual({
      '{{chatId}}': 'chat-1',
      '{{contact}}': '+15551230000',
      '{{event}}': 'MESSAGE',
      '{{text}}': 'Hello & welcome',
      '{{multimedia.url}}': 'https://cdn.example/img.png',
      '{{multimedia.caption}}': 'a cat',
      '{{sender}}': 'COMPANY',
      '{{channel}}': 'SMS',
      '{{timestamp}}': '2025-01-02T03:04:05.000Z',
    });
  });

  it('gives null for the values an END event lacks', () => {
    expect(resolveTemplateVariable('{{text}}', endEvent)).toBeNull();
    expect(resolveTemplateVariable('{{multimedia.url}}', endEvent)).toBeNull();
    expect(resolveTemplateVariable('{{multimedia.caption}}', endEvent)).toBeNull();
  });
});

describe('renderWebhookRequest: body', () => {
  it('renders the default body of an END event with nulls', () => {
    const request = renderWebhookRequest(template({ body: [...DEFAULT_BODY] }), endEvent);
    expect(request.method).toBe('POST');
    expect(JSON.parse(request.body!)).toEqual({
      chatId: 'chat-1',
      contact: '+15551230000',
      event: 'END',
      text: null,
      multimedia: { url: null, caption: null },
    });
    expect(request.headers).toEqual({ 'Content-Type': 'application/json' });
  });

  it('renders the default body of a MESSAGE event', () => {
    const request = renderWebhookRequest(template({ body: [...DEFAULT_BODY] }), messageEvent);
    expect(request.body).toBe(
      '{"chatId":"chat-1","contact":"+15551230000","event":"MESSAGE","text":"Hello & welcome","multimedia":{"url":"https://cdn.example/img.png","caption":"a cat"}}',
    );
  });

  it('renders nested keys, repeated appends and indexes with gaps', () => {
    const request = renderWebhookRequest(
      template({
        method: 'PUT',
        body: [
          text('source', 'chathook'),
          variable('items[]', '{{text}}'),
          variable('items[]', '{{channel}}'),
          variable('list[2].name', '{{contact}}'),
          text('list[2].kind', 'contact'),
          variable('meta.at', '{{timestamp}}'),
        ],
      }),
      messageEvent,
    );
    expect(request.method).toBe('PUT');
    expect(JSON.parse(request.body!)).toEqual({
      source: 'chathook',
      items: ['Hello & welcome', 'SMS'],
      list: [null, null, { name: '+15551230000', kind: 'contact' }],
      meta: { at: '2025-01-02T03:04:05.000Z' },
    });
  });

  it('renders {} for an empty body on POST, PUT and DELETE', () => {
    for (const method of ['POST', 'PUT', 'DELETE'] as const) {
      const request = renderWebhookRequest(template({ method }), messageEvent);
      expect(request.body).toBe('{}');
      expect(request.headers['Content-Type']).toBe('application/json');
    }
  });

  it('sends no body and no Content-Type with GET, even when rows are given', () => {
    const request = renderWebhookRequest(
      template({ method: 'GET', body: [...DEFAULT_BODY], params: [variable('chat', '{{chatId}}')] }),
      messageEvent,
      { userAgent: 'chathook/0.1.0' },
    );
    expect(request).toEqual({
      method: 'GET',
      url: 'https://hooks.example.com/in?chat=chat-1',
      headers: { 'User-Agent': 'chathook/0.1.0' },
      body: undefined,
    });
  });

  it('keeps a Content-Type the template set, whatever its case', () => {
    const request = renderWebhookRequest(
      template({ headers: [text('content-type', 'application/vnd.client+json')], body: [text('a', 'b')] }),
      messageEvent,
    );
    expect(request.headers).toEqual({ 'content-type': 'application/vnd.client+json' });
    expect(JSON.parse(request.body!)).toEqual({ a: 'b' });
  });

  it('turns contradicting body keys into a TemplateRenderError', () => {
    expect(() => renderWebhookRequest(template({ body: [text('a', '1'), text('a.b', '2')] }), messageEvent)).toThrow(
      new TemplateRenderError('body key "a.b" uses "a" as an object, but the earlier key "a" uses it as a value'),
    );
  });

  it('rejects a __proto__ body key and leaves Object.prototype untouched', () => {
    const prototypeKeysBefore = Object.getOwnPropertyNames(Object.prototype).sort();
    expect(() =>
      renderWebhookRequest(template({ body: [variable('__proto__.polluted', '{{text}}')] }), messageEvent),
    ).toThrow(TemplateRenderError);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeysBefore);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('renderWebhookRequest: URL and params', () => {
  it('appends params after the URL own query and drops the fragment', () => {
    const request = renderWebhookRequest(
      template({
        url: 'https://hooks.example.com/in?tenant=acme&flag#section',
        params: [variable('chat', '{{chatId}}'), text('kind', 'sms'), text('kind', 'mo')],
      }),
      messageEvent,
    );
    expect(request.url).toBe('https://hooks.example.com/in?tenant=acme&flag&chat=chat-1&kind=sms&kind=mo');
  });

  it('percent-encodes spaces, unicode, & and = in keys and values', () => {
    const request = renderWebhookRequest(
      template({
        params: [variable('msg', '{{text}}'), text('a b&c=d', 'café 😀 +1/2?#')],
      }),
      messageEvent,
    );
    expect(request.url).toBe(
      'https://hooks.example.com/in?msg=Hello%20%26%20welcome&a%20b%26c%3Dd=caf%C3%A9%20%F0%9F%98%80%20%2B1%2F2%3F%23',
    );
    const parsed = new URL(request.url);
    expect([...parsed.searchParams]).toEqual([
      ['msg', 'Hello & welcome'],
      ['a b&c=d', 'café 😀 +1/2?#'],
    ]);
  });

  it('renders a null variable as an empty param', () => {
    const request = renderWebhookRequest(template({ params: [variable('text', '{{text}}')] }), endEvent);
    expect(request.url).toBe('https://hooks.example.com/in?text=');
  });

  it('does not add a second separator when the query ends with & or ?', () => {
    expect(
      renderWebhookRequest(template({ url: 'https://h.example/p?a=1&', params: [text('b', '2')] }), messageEvent).url,
    ).toBe('https://h.example/p?a=1&b=2');
    expect(
      renderWebhookRequest(template({ url: 'https://h.example/p?', params: [text('b', '2')] }), messageEvent).url,
    ).toBe('https://h.example/p?b=2');
  });

  it('leaves the URL own query as written when there is nothing to append', () => {
    expect(renderWebhookRequest(template({ url: 'https://h.example/p?q=a%20b&flag#top' }), messageEvent).url).toBe(
      'https://h.example/p?q=a%20b&flag',
    );
  });

  it('replaces a lone surrogate in contact text rather than failing', () => {
    const request = renderWebhookRequest(template({ params: [variable('t', '{{text}}')] }), {
      ...messageEvent,
      text: 'x\uD800y',
    });
    expect(request.url).toBe('https://hooks.example.com/in?t=x%EF%BF%BDy');
  });

  it.each([
    ['ftp://h.example/p', 'url must be an absolute http(s) URL'],
    ['/relative/path', 'url must be an absolute http(s) URL'],
    ['https://user:pass@h.example/p', 'url must not carry credentials (user:pass@): use auth BASIC instead'],
  ])('rejects the URL %j', (url, message) => {
    expect(() => renderWebhookRequest(template({ url }), messageEvent)).toThrow(new TemplateRenderError(message));
  });
});

describe('renderWebhookRequest: auth', () => {
  it('puts an API key in a header by default', () => {
    const request = renderWebhookRequest(
      template({ auth: { type: 'API_KEY', key: 'X-Api-Key', value: 'k-123', in: 'header' } }),
      messageEvent,
    );
    expect(request.headers).toEqual({ 'X-Api-Key': 'k-123', 'Content-Type': 'application/json' });
    expect(request.url).toBe('https://hooks.example.com/in');
  });

  it('appends an API key to the query, after the params', () => {
    const request = renderWebhookRequest(
      template({
        url: 'https://hooks.example.com/in?v=2',
        params: [text('p', '1')],
        auth: { type: 'API_KEY', key: 'api key', value: 's&cret', in: 'query' },
      }),
      messageEvent,
    );
    expect(request.url).toBe('https://hooks.example.com/in?v=2&p=1&api%20key=s%26cret');
    expect(request.headers).toEqual({ 'Content-Type': 'application/json' });
  });

  it('sets Basic auth from the UTF-8 of username:password', () => {
    const request = renderWebhookRequest(
      template({ auth: { type: 'BASIC', username: 'zoë', password: 'p:ss wörd😀' } }),
      messageEvent,
    );
    const authorization = request.headers.Authorization!;
    expect(authorization).toMatch(/^Basic [A-Za-z0-9+/]+=*$/);
    expect(decodeBase64Utf8(authorization.slice('Basic '.length))).toBe('zoë:p:ss wörd😀');
  });

  it.each([
    ['a', 'YTo='],
    ['ab', 'YWI6'],
    ['abc', 'YWJjOg=='],
    ['Aladdin', 'QWxhZGRpbjpvcGVuIHNlc2FtZQ=='],
  ])('encodes Basic auth with the right padding for username %j', (username, encoded) => {
    const password = username === 'Aladdin' ? 'open sesame' : '';
    const request = renderWebhookRequest(template({ auth: { type: 'BASIC', username, password } }), messageEvent);
    expect(request.headers.Authorization).toBe(`Basic ${encoded}`);
  });

  it('sets a Bearer token', () => {
    const request = renderWebhookRequest(template({ auth: { type: 'BEARER', token: 'tok.en-1' } }), messageEvent);
    expect(request.headers).toEqual({ Authorization: 'Bearer tok.en-1', 'Content-Type': 'application/json' });
  });

  it('lets auth win over a template header of the same name in any case', () => {
    const request = renderWebhookRequest(
      template({
        headers: [text('authorization', 'Bearer from-template'), text('x-api-key', 'from-template')],
        auth: { type: 'BEARER', token: 'from-auth' },
      }),
      messageEvent,
    );
    expect(request.headers).toEqual({
      Authorization: 'Bearer from-auth',
      'x-api-key': 'from-template',
      'Content-Type': 'application/json',
    });
    const apiKey = renderWebhookRequest(
      template({
        headers: [text('X-API-KEY', 'from-template')],
        auth: { type: 'API_KEY', key: 'x-api-key', value: 'from-auth', in: 'header' },
      }),
      messageEvent,
    );
    expect(apiKey.headers).toEqual({ 'x-api-key': 'from-auth', 'Content-Type': 'application/json' });
  });

  it('rejects an API key header name that is not a token, and CR/LF in configured secrets', () => {
    expect(() =>
      renderWebhookRequest(
        template({ auth: { type: 'API_KEY', key: 'X Key', value: 'v', in: 'header' } }),
        messageEvent,
      ),
    ).toThrow(new TemplateRenderError('header name "X Key" is not a valid HTTP header name'));
    expect(() =>
      renderWebhookRequest(
        template({ auth: { type: 'API_KEY', key: 'X-Key', value: 'v\r\nX: y', in: 'header' } }),
        messageEvent,
      ),
    ).toThrow(new TemplateRenderError('header "X-Key": the value must not contain CR, LF or NUL'));
    expect(() => renderWebhookRequest(template({ auth: { type: 'BEARER', token: 'a\nb' } }), messageEvent)).toThrow(
      TemplateRenderError,
    );
  });
});

describe('renderWebhookRequest: headers', () => {
  it('renders TEXT and VARIABLE headers in order, null as empty', () => {
    const request = renderWebhookRequest(
      template({
        method: 'GET',
        headers: [text('X-Source', 'chathook'), variable('X-Chat', '{{chatId}}'), variable('X-Text', '{{text}}')],
      }),
      endEvent,
    );
    expect(request.headers).toEqual({ 'X-Source': 'chathook', 'X-Chat': 'chat-1', 'X-Text': '' });
  });

  it('lets a later header replace an earlier one of the same name in any case', () => {
    const request = renderWebhookRequest(
      template({ method: 'GET', headers: [text('X-Trace', 'first'), text('X-Other', 'o'), text('x-TRACE', 'second')] }),
      messageEvent,
    );
    expect(request.headers).toEqual({ 'x-TRACE': 'second', 'X-Other': 'o' });
  });

  it('sets User-Agent from the options unless the template set one', () => {
    expect(renderWebhookRequest(template(), messageEvent, { userAgent: 'chathook/0.1.0' }).headers).toEqual({
      'Content-Type': 'application/json',
      'User-Agent': 'chathook/0.1.0',
    });
    expect(
      renderWebhookRequest(template({ headers: [text('user-agent', 'client-agent')] }), messageEvent, {
        userAgent: 'chathook/0.1.0',
      }).headers,
    ).toEqual({ 'user-agent': 'client-agent', 'Content-Type': 'application/json' });
    expect(renderWebhookRequest(template(), messageEvent).headers).toEqual({ 'Content-Type': 'application/json' });
  });

  it('throws on CR, LF or NUL in a TEXT header value (configuration)', () => {
    for (const value of ['a\r\nInjected: 1', 'a\nb', 'a\rb', 'a\0b']) {
      expect(() => renderWebhookRequest(template({ headers: [text('X-Note', value)] }), messageEvent)).toThrow(
        new TemplateRenderError('header "X-Note": the value must not contain CR, LF or NUL'),
      );
    }
  });

  it('replaces each run of CR/LF in a variable header value (contact data) by one space', () => {
    const request = renderWebhookRequest(
      template({
        method: 'GET',
        headers: [variable('X-Text', '{{text}}'), variable('X-Caption', '{{multimedia.caption}}')],
      }),
      { ...messageEvent, text: 'line one\r\nInjected: yes\n\nend\r', multimedia: { url: null, caption: 'a\0b' } },
    );
    expect(request.headers).toEqual({ 'X-Text': 'line one Injected: yes end ', 'X-Caption': 'a b' });
  });

  it.each(['X Note', 'X:Note', 'Ünicode', '', 'X-Note\n'])('rejects the header name %j', (name) => {
    expect(() => renderWebhookRequest(template({ headers: [text(name, 'v')] }), messageEvent)).toThrow(
      new TemplateRenderError(`header name "${name}" is not a valid HTTP header name`),
    );
  });

  it('keeps a __proto__ header as an ordinary own header', () => {
    const request = renderWebhookRequest(template({ method: 'GET', headers: [text('__proto__', 'v')] }), messageEvent);
    expect(Object.getOwnPropertyDescriptor(request.headers, '__proto__')?.value).toBe('v');
    expect(Object.getPrototypeOf(request.headers)).toBe(Object.prototype);
  });
});

describe('validateWebhookTemplate', () => {
  const valid = { method: 'POST' as const, url: 'https://h.example/p?x=1', headers: [], body: [...DEFAULT_BODY] };

  it('accepts a valid template', () => {
    expect(validateWebhookTemplate(valid)).toEqual([]);
    expect(validateWebhookTemplate({ ...valid, method: 'GET', body: [] })).toEqual([]);
  });

  it('reports body key conflicts with their row', () => {
    expect(
      validateWebhookTemplate({
        ...valid,
        body: [text('a', '1'), text('b', '2'), text('a.b', '3'), text('c..d', '4')],
      }),
    ).toEqual([
      {
        path: ['body', 2, 'key'],
        message: 'body key "a.b" uses "a" as an object, but the earlier key "a" uses it as a value',
      },
      { path: ['body', 3, 'key'], message: 'invalid body key "c..d": empty property name at position 3' },
    ]);
  });

  it('reports invalid header names and CR/LF in TEXT values, not in variables', () => {
    expect(
      validateWebhookTemplate({
        ...valid,
        headers: [text('Bad Name', 'v'), text('X-Ok', 'a\r\nb'), variable('X-Text', '{{text}}')],
      }),
    ).toEqual([
      { path: ['headers', 0, 'key'], message: '"Bad Name" is not a valid HTTP header name' },
      { path: ['headers', 1, 'value'], message: 'a header value must not contain CR, LF or NUL' },
    ]);
  });

  it('reports a non-empty body with GET', () => {
    expect(validateWebhookTemplate({ ...valid, method: 'GET' })).toEqual([
      { path: ['body'], message: 'GET integrations carry no body' },
    ]);
  });

  it.each([
    ['not a url', 'must be an absolute http(s) URL'],
    ['ftp://h.example/file', 'must be an absolute http(s) URL'],
    ['//h.example/p', 'must be an absolute http(s) URL'],
    ['https://user:pass@h.example/p', 'must not carry credentials (user:pass@): use auth BASIC instead'],
    ['https://user@h.example/p', 'must not carry credentials (user:pass@): use auth BASIC instead'],
  ])('reports the URL %j', (url, message) => {
    expect(validateWebhookTemplate({ ...valid, url })).toEqual([{ path: ['url'], message }]);
  });
});

describe('header values from event data and reserved names', () => {
  it('percent-encodes non-ASCII event data in headers so every HTTP client accepts it', async () => {
    const { renderWebhookRequest } = await import('../../../src/domain/render-webhook-request.js');
    const rendered = renderWebhookRequest(
      {
        method: 'GET',
        url: 'https://client.example/hook',
        params: [],
        auth: { type: 'NONE' },
        headers: [{ key: 'X-Text', type: 'VARIABLE', value: '{{text}}' }],
        body: [],
      },
      {
        chatId: 'c1',
        contact: '1',
        event: 'MESSAGE',
        text: 'olá 👋\u0007end',
        multimedia: { url: null, caption: null },
        sender: 's',
        channel: 'SMS',
        timestamp: '2026-01-01T00:00:00.000Z',
      },
    );
    expect(rendered.headers['X-Text']).toBe('ol%C3%A1 %F0%9F%91%8B%07end');
    expect(decodeURIComponent(rendered.headers['X-Text']!)).toBe('olá 👋\u0007end');
  });

  it('refuses configured headers chathook owns, and non-ASCII TEXT header values', async () => {
    const { validateWebhookTemplate } = await import('../../../src/domain/render-webhook-request.js');
    const problems = validateWebhookTemplate({
      method: 'POST',
      url: 'https://client.example/hook',
      body: [],
      headers: [
        { key: 'Content-Length', type: 'TEXT', value: '1' },
        { key: 'webhook-signature', type: 'TEXT', value: 'v1,x' },
        { key: 'X-Ok', type: 'TEXT', value: 'café' },
      ],
    });
    expect(problems.map((problem) => problem.path)).toEqual([
      ['headers', 0, 'key'],
      ['headers', 1, 'key'],
      ['headers', 2, 'value'],
    ]);
  });
});
