/**
 * The churn checks of the loss ledger, each shown failing on a hand-made bad ledger, and a short
 * seeded churn run on the real stack (separate processes: API, two workers, Temporal dev server,
 * FerretDB; a receiver and an http carrier that record everything): one worker SIGKILL, one
 * receiver outage; the ledger must be clean and both faults must have fired.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ChaosCarrier } from '../../scripts/chaos/chaos-carrier.js';
import { ChaosReceiver } from '../../scripts/chaos/chaos-receiver.js';
import { chaosDetails, churnTable } from '../../scripts/chaos/chaos-report.js';
import { runChurn } from '../../scripts/chaos/churn-runner.js';
import {
  churnViolations,
  reconcile,
  reconcileChurn,
  type InboundAttempt,
  type ResponseCall,
} from '../../scripts/chaos/loss-ledger.js';
import type { MessageOutcome } from '../../scripts/chaos/load-generator.js';

const baseDir = mkdtempSync(join(tmpdir(), 'chathook-churn-'));
afterAll(() => rmSync(baseDir, { recursive: true, force: true }));

const hook = (receiver: ChaosReceiver, webhookId: string, body: unknown) =>
  fetch(`${receiver.url}/hook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'webhook-id': webhookId },
    body: JSON.stringify(body),
  });
const message = (chatId: string, messageId: string) => ({
  chatId,
  contact: '1',
  event: 'MESSAGE',
  text: `${messageId} from 1`,
});
const end = (chatId: string) => ({ chatId, contact: '1', event: 'END', text: null });
const send = (carrier: ChaosCarrier, id: string, text: string) =>
  fetch(`${carrier.url}/sms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id, to: '1', text }),
  });
const accepted = (messageId: string, chatId: string, at = 0): MessageOutcome => ({
  messageId,
  contact: '1',
  dueAt: at,
  acceptedSentAt: at,
  acceptedAt: at + 1,
  chatId,
  answeredDuplicate: false,
});
const attempt = (
  messageId: string,
  sentAt: number,
  status: number,
  extra: Partial<InboundAttempt> = {},
): InboundAttempt => ({ messageId, contact: '1', sentAt, answeredAt: sentAt + 5, status, ...extra });
const call = (
  key: string,
  type: ResponseCall['type'],
  firstSentAt: number,
  extra: Partial<ResponseCall> = {},
): ResponseCall => ({
  key,
  type,
  contact: '1',
  firstSentAt,
  statuses: [202],
  ...(type === 'MESSAGE' ? { text: key } : {}),
  ...extra,
});

async function withPeers(body: (receiver: ChaosReceiver, carrier: ChaosCarrier) => Promise<void>): Promise<void> {
  const [receiver, carrier] = await Promise.all([ChaosReceiver.start(), ChaosCarrier.start()]);
  try {
    await body(receiver, carrier);
  } finally {
    await Promise.all([receiver.close(), carrier.close()]);
  }
}

describe('the loss ledger, churn checks', () => {
  it('finds a message delivered in another chat than its 202 named', () =>
    withPeers(async (receiver) => {
      await hook(receiver, 'wh-a', message('chat-b', 'a'));
      expect(reconcile([accepted('a', 'chat-a')], receiver).wrongChat).toEqual(['a']);
      expect(reconcile([accepted('a', 'chat-b')], receiver).wrongChat).toEqual([]);
    }));

  it("finds a message delivered after its chat's END, and a chat ended twice", () =>
    withPeers(async (receiver) => {
      await hook(receiver, 'wh-before', message('chat', 'before'));
      await hook(receiver, 'wh-end', end('chat'));
      await hook(receiver, 'wh-end', end('chat'));
      await hook(receiver, 'wh-after', message('chat', 'after'));
      const ledger = reconcile([accepted('before', 'chat'), accepted('after', 'chat')], receiver);
      expect([ledger.afterEnd, ledger.endedTwice]).toEqual([['after'], []]);
      await hook(receiver, 'wh-end-2', end('chat'));
      expect(reconcile([], receiver).endedTwice).toEqual(['chat']);
    }));

  it('finds a message accepted twice, a duplicate answer for a message not taken before, and a refused message delivered', () =>
    withPeers(async (receiver, carrier) => {
      for (const id of ['twice', 'first-is-duplicate', 'refused'])
        await hook(receiver, `wh-${id}`, message('chat', id));
      const attempts = [
        attempt('twice', 0, 202, { chatId: 'chat' }),
        attempt('twice', 100, 202, { chatId: 'chat' }),
        // Its only request answered duplicate: nothing of it could have been taken before.
        attempt('first-is-duplicate', 0, 202, { chatId: 'chat', duplicate: true }),
        // A duplicate answer after a 503 for a message that never arrives: the bug of the hand-over.
        attempt('never-delivered', 0, 503),
        attempt('never-delivered', 600, 202, { chatId: 'chat', duplicate: true }),
        attempt('refused', 0, 422),
        // A carrier's retry answered duplicate, the message delivered: fine.
        attempt('fine', 0, 202, { chatId: 'chat' }),
        attempt('fine', 500, 202, { chatId: 'chat', duplicate: true }),
      ];
      await hook(receiver, 'wh-fine', message('chat', 'fine'));
      const ledger = reconcileChurn(attempts, [], receiver, carrier);
      expect(ledger.acceptedTwice).toEqual(['twice']);
      expect(ledger.unfoundedDuplicates).toEqual(['first-is-duplicate', 'never-delivered']);
      expect(ledger.deliveredAfterRefusal).toEqual(['refused']);
      expect(ledger.messages.lost).toEqual(['never-delivered']);
      expect(churnViolations(ledger)).toHaveLength(4);
    }));

  it('finds a reply accepted and never sent, sent with another text, accepted after its END, and an END never delivered', () =>
    withPeers(async (receiver, carrier) => {
      await hook(receiver, 'wh-end', end('chat'));
      const endArrivedAt = receiver.endsByChat.get('chat')!.firstAt;
      await send(carrier, 'ev-once', 'once');
      await send(carrier, 'ev-again', 'again');
      await send(carrier, 'ev-again', 'again');
      await send(carrier, 'ev-wrong', 'not what was accepted');
      await send(carrier, 'ev-late', 'late');
      await send(carrier, 'ev-orphan', 'orphan');
      const calls = [
        call('once', 'MESSAGE', endArrivedAt - 100, {
          acceptedAt: endArrivedAt - 90,
          eventId: 'ev-once',
          chatId: 'chat',
        }),
        call('again', 'MESSAGE', endArrivedAt - 100, {
          acceptedAt: endArrivedAt - 90,
          eventId: 'ev-again',
          chatId: 'chat',
        }),
        call('wrong', 'MESSAGE', endArrivedAt - 100, {
          acceptedAt: endArrivedAt - 90,
          eventId: 'ev-wrong',
          chatId: 'chat',
        }),
        call('unsent', 'MESSAGE', endArrivedAt - 100, {
          acceptedAt: endArrivedAt - 90,
          eventId: 'ev-unsent',
          chatId: 'chat',
        }),
        // First sent after the chat's END arrived at the client, and still accepted into it.
        call('late', 'MESSAGE', endArrivedAt + 50, {
          acceptedAt: endArrivedAt + 60,
          eventId: 'ev-late',
          chatId: 'chat',
        }),
        call('refused', 'MESSAGE', endArrivedAt + 50, { statuses: [404] }),
        call('end', 'END', endArrivedAt - 80, { acceptedAt: endArrivedAt - 70, eventId: 'ev-end', chatId: 'chat' }),
        call('end-lost', 'END', 0, { acceptedAt: 10, eventId: 'ev-end-lost', chatId: 'other-chat' }),
      ];
      const { replies, endsUndelivered, endsAccepted } = reconcileChurn([], calls, receiver, carrier);
      expect(replies).toEqual({
        accepted: 5,
        sentOnce: 3,
        sentAgainSameId: 1,
        unsent: ['unsent'],
        wrongText: ['wrong'],
        sentWithoutAcceptance: 1,
        acceptedAfterEnd: ['late'],
      });
      expect([endsUndelivered, endsAccepted]).toEqual([['other-chat'], 2]);
      expect(churnViolations(reconcileChurn([], calls, receiver, carrier))).toHaveLength(4);
    }));

  it('passes a clean ledger', () =>
    withPeers(async (receiver, carrier) => {
      await hook(receiver, 'wh-m', message('chat', 'm'));
      await hook(receiver, 'wh-end', end('chat'));
      await send(carrier, 'ev-r', 'r');
      const calls = [
        call('r', 'MESSAGE', Date.now() - 1_000, { acceptedAt: Date.now() - 900, eventId: 'ev-r', chatId: 'chat' }),
        call('e', 'END', Date.now() - 800, { acceptedAt: Date.now() - 700, chatId: 'chat' }),
      ];
      expect(
        churnViolations(reconcileChurn([attempt('m', 0, 202, { chatId: 'chat' })], calls, receiver, carrier)),
      ).toEqual([]);
    }));
});

describe('chaos, churn (short, seeded)', () => {
  it(
    'keeps every promise through churn, one worker SIGKILL and one receiver outage (seed 20240901)',
    { timeout: 300_000 },
    async () => {
      const lines: string[] = [];
      const started = Date.now();
      const result = await runChurn({
        seed: 20240901,
        ratePerSecond: 6,
        loadDurationMs: 35_000,
        contacts: 30,
        idleTimeoutMs: 3_000,
        messagesPerRun: 5,
        // One kill (at 20 s) within the 35 s of load; one 4 s outage around the middle.
        killIntervalMs: 40_000,
        outages: 1,
        outageMs: 4_000,
        drainDeadlineMs: 60_000,
        retryWindowMs: 30_000,
        env: { DELIVERY_RETRY_INITIAL: '1s', DELIVERY_RETRY_MAX_INTERVAL: '3s' },
        baseDir,
        keepData: false,
        log: (line) => lines.push(line),
      });
      const context = `${lines.join('\n')}\n\n${churnTable([result])}\n\n${chaosDetails([result])}`;
      process.stdout.write(
        `churn short run: ${((Date.now() - started) / 1000).toFixed(0)} s\n${churnTable([result])}\n`,
      );
      expect(result.error, context).toBeUndefined();
      expect(result.violations, context).toEqual([]);
      expect(result.ledger!.accepted, context).toBeGreaterThan(100);
      expect(result.churn!.replies.accepted, context).toBeGreaterThan(0);
      expect(result.faultsFired.workerKills, context).toBeGreaterThanOrEqual(1);
      expect(result.faultsFired.receiverOutages, context).toBe(1);
      expect(result.receiverRefused, context).toBeGreaterThan(0);
      // The scripts went through every kind of step the churn is about.
      const steps = result.steps!;
      for (const step of [
        'longChats',
        'concurrentDuplicates',
        'retriesAfter202',
        'endsByClient',
        'moBeforeEnd',
        'moJustAfterEnd',
        'idleCloses',
        'moAtIdleDeadline',
        'replyRacingEnd',
      ] as const)
        expect(steps[step], `${step}\n${context}`).toBeGreaterThan(0);
    },
  );
});
