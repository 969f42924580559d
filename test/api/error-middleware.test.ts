import express from 'express';
import type { Server } from 'node:http';
import { pinoHttp } from 'pino-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorMiddleware } from '../../src/http/error-middleware.js';
import { AppError } from '../../src/services/errors.js';
import { createLogger } from '../../src/platform/logger.js';

let server: Server;
let baseUrl: string;

// A real Express app and HTTP calls; the thrown errors stand for outages that cannot be caused on demand here.
beforeAll(async () => {
  const app = express();
  app.use(pinoHttp({ logger: createLogger('silent') }));
  app.get('/mongo', () => {
    throw Object.assign(new Error('database is locked'), { name: 'MongoServerError' });
  });
  app.get('/temporal', () => {
    throw Object.assign(new Error('14 UNAVAILABLE'), { name: 'ServiceError' });
  });
  app.get('/bug', () => {
    throw new TypeError("Cannot read properties of undefined (reading 'secret')");
  });
  app.get('/known', () => {
    throw new AppError(409, 'SOMETHING', 'a sentence', { extra: 1 }, { status: 'INACTIVE' });
  });
  app.use(errorMiddleware);
  server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => {
  server.close();
});

describe('error middleware', () => {
  it('answers database and Temporal outages 503, not 500', async () => {
    for (const path of ['/mongo', '/temporal']) {
      const response = await fetch(`${baseUrl}${path}`);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ error: { code: 'SERVICE_UNAVAILABLE', message: 'A backing service did not answer; retry shortly' } });
    }
  });

  it('hides the internals of a bug', async () => {
    const response = await fetch(`${baseUrl}/bug`);
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain('secret');
  });

  it('maps typed errors with their details and siblings', async () => {
    const response = await fetch(`${baseUrl}/known`);
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({ error: { code: 'SOMETHING', message: 'a sentence', extra: 1 }, status: 'INACTIVE' });
  });
});
