import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker } from '../../src/temporal/worker.js';
import { startTestApp, type ApiClient, type TestApp } from '../support/harness.js';
import { createConnection, createIntegration, uniqueSender } from '../support/fixtures.js';

let app: TestApp;
let acme: ApiClient;

beforeAll(async () => {
  // No worker at first: the activation cannot finish within the HTTP wait.
  app = await startTestApp({ worker: false, lifecycleWaitMs: 1_500 });
  acme = (await app.tenant('Acme')).client;
});
afterAll(async () => {
  await app.close();
});

describe('a start that cannot finish in time', () => {
  it('answers 503 with nothing half-claimed, and finishes once a worker is there', async () => {
    const sender = uniqueSender();
    await createConnection(acme, 'LATE', [sender]);
    const integration = await createIntegration(acme, 'Late', ['LATE']);
    const pending = await acme.post(`/v1/integrations/${integration.id}/start`);
    expect(pending.status).toBe(503);
    expect(pending.body.error.code).toBe('ACTIVATION_PENDING');
    expect(await app.models.SenderClaim.countDocuments({ holderId: new mongoose.Types.ObjectId(integration.id) })).toBe(
      0,
    );
    expect((await acme.get(`/v1/integrations/${integration.id}`)).body.status).toBe('INACTIVE');

    const worker = await startWorker(app.runtime, app.temporalAddress);
    try {
      const done = await acme.post(`/v1/integrations/${integration.id}/start`);
      expect(done.status).toBe(200);
      expect(done.body).toEqual({
        status: 'ACTIVE',
        partial: false,
        connections: [{ code: 'LATE', status: 'ACTIVE' }],
      });
    } finally {
      await worker.shutdown();
    }
  });
});
