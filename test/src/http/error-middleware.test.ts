import express from 'express';
import type { Server } from 'node:http';
import { pinoHttp } from 'pino-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorMiddleware } from '../../../src/http/error-middleware.js';
import { AppError, ErrorCode } from '../../../src/services/errors.js';
import { createLogger } from '../../../src/platform/logger.js';

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
    throw new AppError({
      code: ErrorCode.ACTIVATION_FAILED,
      message: 'a sentence',
      details: { extra: 1 },
      siblings: { status: 'INACTIVE' },
    });
  });
  app.get('/later', () => {
    throw new AppError({ code: ErrorCode.CHAT_BACKLOG, message: 'full', retryAfterSeconds: 5 });
  });
  app.get('/undecodable/:id', () => {
    throw new Error('the route matched, so the bad parameter never reached a handler');
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
      expect(await response.json()).toEqual({
        error: { code: 'SERVICE_UNAVAILABLE', message: 'A backing service did not answer; retry shortly' },
      });
    }
  });

  it('hides the internals of a bug', async () => {
    const response = await fetch(`${baseUrl}/bug`);
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain('secret');
  });

  it("answers typed errors with their code's status (error-statuses.ts), details and siblings", async () => {
    const response = await fetch(`${baseUrl}/known`);
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({
      error: { code: 'ACTIVATION_FAILED', message: 'a sentence', extra: 1 },
      status: 'INACTIVE',
    });
  });

  it('sets Retry-After from the error', async () => {
    const response = await fetch(`${baseUrl}/later`);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(await response.json()).toEqual({ error: { code: 'CHAT_BACKLOG', message: 'full' } });
  });

  it('keeps the status Express gives a request it could not read, as BAD_REQUEST', async () => {
    const response = await fetch(`${baseUrl}/undecodable/%E0%A4%A`);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { code: 'BAD_REQUEST', message: 'The request could not be read' } });
  });
});
