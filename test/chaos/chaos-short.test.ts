/**
 * The short version of `npm run chaos`: the real stack as separate processes (API, two
 * workers, Temporal dev server on a file, FerretDB) under carrier load, one worker SIGKILLed
 * and a 10 s receiver outage; every 202 must reach the receiver, repeats only under one webhook-id,
 * in its chat's order, and both faults must have fired (a run whose fault missed proves nothing).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ChaosReceiver } from '../../scripts/chaos/chaos-receiver.js';
import { killWorkerEvery, receiverOutage } from '../../scripts/chaos/chaos-scenarios.js';
import type { MessageOutcome } from '../../scripts/chaos/load-generator.js';
import { ledgerViolations, reconcile } from '../../scripts/chaos/loss-ledger.js';
import { runScenario } from '../../scripts/chaos/scenario-runner.js';

const baseDir = mkdtempSync(join(tmpdir(), 'chathook-chaos-'));
afterAll(() => rmSync(baseDir, { recursive: true, force: true }));

const post = (url: string, webhookId: string, body: unknown) =>
  fetch(`${url}/hook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'webhook-id': webhookId },
    body: JSON.stringify(body),
  });

const accepted = (messageId: string, at: number): MessageOutcome => ({
  messageId,
  contact: '1',
  dueAt: at,
  acceptedSentAt: at,
  acceptedAt: at + 1,
  chatId: 'chat',
  answeredDuplicate: false,
});

describe('the loss ledger', () => {
  it('tells delivered once, repeated under one webhook-id, accepted twice, lost and refused apart', async () => {
    const receiver = await ChaosReceiver.start();
    try {
      const message = (messageId: string) => ({ chatId: 'chat', event: 'MESSAGE', text: `${messageId} padding` });
      await post(receiver.url, 'wh-once', message('once'));
      await post(receiver.url, 'wh-retried', message('retried'));
      await post(receiver.url, 'wh-retried', message('retried'));
      await post(receiver.url, 'wh-first', message('twice'));
      await post(receiver.url, 'wh-second', message('twice'));
      receiver.setMode({ kind: 'unavailable' });
      expect((await post(receiver.url, 'wh-refused', message('refused'))).status).toBe(503);
      receiver.setMode({ kind: 'throttled' });
      const throttled = await post(receiver.url, 'wh-refused', message('refused'));
      expect([throttled.status, throttled.headers.get('retry-after')]).toEqual([429, '0']);
      const outcomes = ['once', 'retried', 'twice', 'refused'].map((id, index) => accepted(id, index * 10));
      outcomes.push({
        messageId: 'never-accepted',
        contact: '1',
        dueAt: 0,
        answeredDuplicate: false,
        rejectedWith: '503',
      });
      const ledger = reconcile(outcomes, receiver);
      expect(ledger).toMatchObject({
        sent: 5,
        accepted: 4,
        deliveredOnce: 1,
        lost: ['refused'],
        deliveredWithoutAcceptance: 0,
        orderViolations: 0,
      });
      expect(ledger.duplicates).toEqual([
        { messageId: 'retried', deliveries: [{ webhookId: 'wh-retried', count: 2 }], sameWebhookId: true },
        {
          messageId: 'twice',
          deliveries: [
            { webhookId: 'wh-first', count: 1 },
            { webhookId: 'wh-second', count: 1 },
          ],
          sameWebhookId: false,
        },
      ]);
    } finally {
      await receiver.close();
    }
  });

  it('counts a message delivered before one accepted earlier as out of order', async () => {
    const receiver = await ChaosReceiver.start();
    try {
      await post(receiver.url, 'wh-b', { chatId: 'chat', event: 'MESSAGE', text: 'b' });
      await post(receiver.url, 'wh-a', { chatId: 'chat', event: 'MESSAGE', text: 'a' });
      // a was accepted (t=1) before b was sent (t=100): b arriving first breaks the chat's order.
      expect(reconcile([accepted('a', 0), accepted('b', 100)], receiver).orderViolations).toBe(1);
    } finally {
      await receiver.close();
    }
  });
});

describe('chaos, short', () => {
  it(
    'loses no accepted message through a worker SIGKILL and a 10 s receiver outage',
    { timeout: 240_000 },
    async () => {
      const lines: string[] = [];
      const result = await runScenario(
        {
          name: 'short',
          summary: 'worker-1 SIGKILLed at 5 s; receiver 503 from 12 s to 22 s',
          faults: [killWorkerEvery(60_000, 0, 5_000), receiverOutage('unavailable', () => 12_000, 10_000)],
        },
        {
          ratePerSecond: 3,
          loadDurationMs: 25_000,
          contacts: 10,
          drainDeadlineMs: 45_000,
          retryWindowMs: 30_000,
          // Retries close together, so the outage drains within the test's time.
          env: { DELIVERY_RETRY_INITIAL: '1s', DELIVERY_RETRY_MAX_INTERVAL: '3s', LOG_LEVEL: 'info' },
          baseDir,
          keepData: false,
          log: (line) => lines.push(line),
        },
      );
      const context = `${lines.join('\n')}\n${JSON.stringify({ ...result, ledger: { ...result.ledger, duplicates: result.ledger?.duplicates.slice(0, 5) } }, null, 2)}`;
      expect(result.error, context).toBeUndefined();
      const ledger = result.ledger!;
      expect(ledger.accepted, context).toBeGreaterThan(0);
      expect(ledger.lost, context).toEqual([]);
      expect(
        ledger.duplicates.filter((duplicate) => !duplicate.sameWebhookId),
        context,
      ).toEqual([]);
      expect(ledger.deliveredOnce + ledger.duplicates.length, context).toBe(ledger.accepted);
      expect(ledger.orderViolations, context).toBe(0);
      expect(ledger.deliveredWithoutAcceptance, context).toBe(0);
      expect(ledgerViolations(ledger), context).toEqual([]);
      expect(result.drainMs, context).toBeDefined();
      expect(result.faultsFired, context).toMatchObject({ workerKills: 1, receiverOutages: 1 });
      expect(result.receiverRefused, context).toBeGreaterThan(0);
    },
  );
});
