import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isErrorCode } from '../../../src/domain/error-catalogue.js';
import { createApp } from '../../../src/http/app.js';
import { statusOf } from '../../../src/http/error-statuses.js';
import { appDepsOf } from '../../../src/bin/runtime.js';
import { startTestApp, type ApiClient, type TestApp } from '../../support/harness.js';

let app: TestApp;
let acme: ApiClient;

beforeAll(async () => {
  app = await startTestApp();
  acme = (await app.tenant('Acme')).client;
});
afterAll(async () => {
  await app.close();
});

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
}

/** Every `METHOD /path` Express would route, read from the app's own router stack. */
function mountedRoutes(express: Express): string[] {
  const routes: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods))
          routes.push(`${method.toUpperCase()} ${layer.route.path}`);
      } else if (layer.handle.stack) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((express as unknown as { router: { stack: Layer[] } }).router.stack);
  return routes;
}

// Pages for people, not API operations: the console (and its root redirect) and the reference itself.
const PAGES = /^GET (\/|\/console.*|\/docs.*)$/;

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 and documents every route the app mounts', async () => {
    const response = await fetch(`${app.baseUrl}/openapi.json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(document.openapi).toMatch(/^3\.1\./);

    const documented = new Set(
      Object.entries(document.paths).flatMap(([path, operations]) =>
        Object.keys(operations).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
      ),
    );
    const express = createApp(appDepsOf(app.runtime));
    const mounted = mountedRoutes(express).filter((route) => !PAGES.test(route));
    expect(mounted.length).toBeGreaterThan(30);
    expect(mounted.filter((route) => !documented.has(route))).toEqual([]);
    // And nothing documented that the app does not serve.
    expect([...documented].filter((route) => !mounted.includes(route))).toEqual([]);
  });

  it('describes request bodies from the validation schemas (JSON Schema 2020-12)', async () => {
    const document = (await (await fetch(`${app.baseUrl}/openapi.json`)).json()) as {
      paths: Record<
        string,
        Record<
          string,
          {
            requestBody?: {
              content: Record<string, { schema: { properties: Record<string, unknown>; required?: string[] } }>;
            };
          }
        >
      >;
    };
    const create = document.paths['/v1/integrations']!.post!.requestBody!.content['application/json']!.schema;
    expect(Object.keys(create.properties)).toEqual(
      expect.arrayContaining(['alias', 'method', 'url', 'params', 'auth', 'headers', 'body', 'connections']),
    );
    expect(create.required).toEqual(expect.arrayContaining(['alias', 'method', 'url']));
    expect(create.required).not.toContain('params');
  });

  it('declares 401 on every authenticated operation and 400 on every operation with input', async () => {
    const document = (await (await fetch(`${app.baseUrl}/openapi.json`)).json()) as {
      paths: Record<
        string,
        Record<
          string,
          { security?: unknown[]; parameters?: unknown[]; requestBody?: unknown; responses: Record<string, unknown> }
        >
      >;
    };
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ name: `${method.toUpperCase()} ${path}`, operation })),
    );
    const authenticated = operations.filter(({ operation }) => (operation.security ?? []).length > 0);
    expect(authenticated.length).toBeGreaterThan(25);
    expect(authenticated.filter(({ operation }) => !operation.responses['401']).map(({ name }) => name)).toEqual([]);
    const withInput = operations.filter(
      ({ operation }) => (operation.parameters ?? []).length > 0 || operation.requestBody,
    );
    expect(withInput.filter(({ operation }) => !operation.responses['400']).map(({ name }) => name)).toEqual([]);
  });

  it('files every error code it names under the status the error middleware answers it with (error-statuses.ts)', async () => {
    const document = (await (await fetch(`${app.baseUrl}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, { description: string }> }>>;
    };
    const misfiled: string[] = [];
    let named = 0;
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          if (Number(status) < 400) continue;
          const words: string[] = response.description.match(/\b[A-Z][A-Z_]+[A-Z]\b/g) ?? [];
          for (const code of words.filter(isErrorCode)) {
            named += 1;
            if (statusOf(code) !== Number(status)) misfiled.push(`${method.toUpperCase()} ${path} ${status}: ${code}`);
          }
        }
      }
    }
    expect(named).toBeGreaterThan(100);
    expect(misfiled).toEqual([]);
  });

  it('states the rules the server enforces on fields (patterns, unique items, cross-field rules)', async () => {
    const document = (await (await fetch(`${app.baseUrl}/openapi.json`)).json()) as {
      paths: Record<
        string,
        Record<string, { requestBody?: { content: Record<string, { schema: Record<string, any> }> } }>
      >;
    };
    const integration = document.paths['/v1/integrations']!.post!.requestBody!.content['application/json']!.schema;
    expect(integration.properties.url.pattern).toEqual(expect.any(String));
    expect(integration.properties.alias.pattern).toEqual(expect.any(String));
    expect(integration.properties.connections.uniqueItems).toBe(true);
    expect(integration.properties.body.items.properties.key.pattern).toEqual(expect.any(String));
    expect(integration.not).toEqual({
      required: ['method', 'body'],
      properties: { method: { const: 'GET' }, body: { minItems: 1 } },
    });
    const connection = document.paths['/v1/connections']!.post!.requestBody!.content['application/json']!.schema;
    expect(connection.properties.senders.uniqueItems).toBe(true);
    expect(connection.oneOf).toHaveLength(2);
  });

  it('serves the rendered reference at /docs with its assets, no CDN', async () => {
    const page = await fetch(`${app.baseUrl}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).not.toMatch(/https?:\/\//);
    for (const asset of [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map(([, path]) => path!)) {
      expect((await fetch(`${app.baseUrl}${asset}`)).status, asset).toBe(200);
    }
  });
});

describe('a method a path lacks', () => {
  it('answers 405 with Allow listing the methods the path has', async () => {
    for (const [method, path, allowed] of [
      ['PATCH', '/v1/integrations', 'GET, HEAD, POST'],
      ['DELETE', '/v1/reservations', 'GET, HEAD, POST'],
      ['POST', '/healthz', 'GET, HEAD'],
      ['PUT', `/v1/reservations/0123456789abcdef01234567`, 'DELETE, GET, HEAD'],
    ] as const) {
      const response = await acme.raw(path, { method });
      expect(response.status, `${method} ${path}`).toBe(405);
      expect(response.headers.get('allow'), `${method} ${path}`).toBe(allowed);
      expect(response.body.error.code).toBe('METHOD_NOT_ALLOWED');
    }
  });

  it('still answers 404 for a path no route has', async () => {
    const response = await acme.get('/v1/nothing-here');
    expect(response.status).toBe(404);
    expect(response.headers.get('allow')).toBeNull();
    expect(response.body.error.code).toBe('ROUTE_NOT_FOUND');
  });
});

describe('POST /v1/preview', () => {
  it('renders the request with the worker renderer, secrets masked', async () => {
    const response = await acme.post('/v1/preview', {
      alias: 'Preview',
      method: 'POST',
      url: 'https://hooks.example.com/in?x=1',
      params: [{ key: 'source', type: 'VARIABLE', value: '{{channel}}' }],
      auth: { type: 'BASIC', username: 'alice', password: 's3cret' },
      headers: [{ key: 'X-Team', type: 'TEXT', value: 'support' }],
      body: [
        { key: 'text', type: 'VARIABLE', value: '{{text}}' },
        { key: 'meta.from', type: 'VARIABLE', value: '{{contact}}' },
      ],
      sample: { text: 'hola', contact: '5491100000009', channel: 'WHATSAPP' },
    });
    expect(response.status).toBe(200);
    expect(response.body.request.url).toBe('https://hooks.example.com/in?x=1&source=WHATSAPP');
    expect(response.body.request.headers['X-Team']).toBe('support');
    expect(JSON.parse(response.body.request.body)).toEqual({ text: 'hola', meta: { from: '5491100000009' } });
    expect(JSON.stringify(response.body)).not.toContain('s3cret');
    expect(
      Buffer.from(String(response.body.request.headers.Authorization).replace('Basic ', ''), 'base64').toString(),
    ).toBe('alice:********');
  });

  it('names the bad field like create does', async () => {
    const response = await acme.post('/v1/preview', {
      alias: 'Preview',
      method: 'POST',
      url: 'https://hooks.example.com/in',
      body: [
        { key: 'a', type: 'TEXT', value: 'x' },
        { key: 'a.b', type: 'TEXT', value: 'y' },
      ],
    });
    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('BODY_KEY_CONFLICT');
    expect(response.body.error.fields.map((field: { path: string }) => field.path)).toContain('body.1.key');
  });
});
