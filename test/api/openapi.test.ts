import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
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
        for (const method of Object.keys(layer.route.methods)) routes.push(`${method.toUpperCase()} ${layer.route.path}`);
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
      Object.entries(document.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`)),
    );
    const express = createApp({
      config: app.config,
      models: app.services.models,
      secretBox: app.services.secretBox,
      logger: app.services.logger,
      readiness: { db: app.services.db, temporal: app.services.temporal.connection, namespace: app.config.temporal.namespace },
      temporal: app.services.temporal.client,
      metrics: app.services.metrics,
    });
    const mounted = mountedRoutes(express).filter((route) => !PAGES.test(route));
    expect(mounted.length).toBeGreaterThan(30);
    expect(mounted.filter((route) => !documented.has(route))).toEqual([]);
    // And nothing documented that the app does not serve.
    expect([...documented].filter((route) => !mounted.includes(route))).toEqual([]);
  });

  it('describes request bodies from the validation schemas (JSON Schema 2020-12)', async () => {
    const document = (await (await fetch(`${app.baseUrl}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties: Record<string, unknown>; required?: string[] } }> } }>>;
    };
    const create = document.paths['/v1/integrations']!.post!.requestBody!.content['application/json']!.schema;
    expect(Object.keys(create.properties)).toEqual(expect.arrayContaining(['alias', 'method', 'url', 'params', 'auth', 'headers', 'body', 'connections']));
    expect(create.required).toEqual(expect.arrayContaining(['alias', 'method', 'url']));
    expect(create.required).not.toContain('params');
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
    expect(Buffer.from(String(response.body.request.headers.Authorization).replace('Basic ', ''), 'base64').toString()).toBe('alice:********');
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
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('VALIDATION_ERROR');
    expect(response.body.error.fields.map((field: { path: string }) => field.path)).toContain('body.1.key');
  });
});
