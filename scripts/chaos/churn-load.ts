/**
 * Churn load: many contacts, each following a random script drawn from the run's seed (the
 * same seed draws the same scripts, so a failure replays), over and over until the load ends:
 *   - a burst of MOs in one chat (sometimes longer than CHAT_MESSAGES_PER_RUN: continue-as-new),
 *     some posted twice at once (concurrent duplicates), some posted again after their 202
 *     (a carrier's retry of the same messageId);
 *   - client replies through the response webhook (sent on by chathook to the carrier);
 *   - then END from the client, with an MO timed before (racing the END call), during (while the
 *     receiver holds the END webhook's answer) or just after (0–50 ms after that answer) the END
 *     webhook arrives, or a reply racing the END; or the contact goes quiet past the idle
 *     timeout (chathook closes the chat), sometimes followed by a late reply; or nothing.
 * Every request is recorded (loss-ledger's InboundAttempt / ResponseCall). Like a carrier and a
 * careful client, 429 (after Retry-After), 5xx and no answer are retried with the same
 * messageId or Idempotency-Key until the retry window after the load closes.
 */
import type { ChaosReceiver } from './chaos-receiver.js';
import type { ChaosRoute } from './chaos-setup.js';
import { retryAfterMs } from './load-generator.js';
import type { InboundAttempt, ResponseCall } from './loss-ledger.js';

export interface ChurnOptions {
  baseUrl: () => string;
  route: ChaosRoute;
  receiver: ChaosReceiver;
  seed: number;
  contacts: number;
  /** MOs a second over all contacts (the scripts' timed MOs included). */
  ratePerSecond: number;
  durationMs: number;
  /** The stack's CHAT_IDLE_TIMEOUT and CHAT_MESSAGES_PER_RUN, which the scripts play against. */
  idleTimeoutMs: number;
  messagesPerRun: number;
  /** Retries stop this long after the load ended. */
  retryWindowMs: number;
  requestTimeoutMs?: number;
}

/** What the scripts did, so a run shows it exercised each kind of step. */
export interface ChurnSteps {
  chats: number;
  longChats: number;
  concurrentDuplicates: number;
  retriesAfter202: number;
  replies: number;
  endsByClient: number;
  moBeforeEnd: number;
  moDuringEnd: number;
  moJustAfterEnd: number;
  replyRacingEnd: number;
  idleCloses: number;
  /** The contact's next MO sent within ±300 ms of the idle deadline: it races the idle close's hand-over. */
  moAtIdleDeadline: number;
  lateReplies: number;
}

export interface ChurnRun {
  attempts: InboundAttempt[];
  calls: ResponseCall[];
  steps: ChurnSteps;
  startedAt: number;
  /** Resolves when every script ended and every request has its final answer. */
  done: Promise<number>;
  stop(): void;
}

/** mulberry32: a small seeded generator, enough to draw scripts reproducibly. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));
const retryable = (status: number) => status === 0 || status === 429 || status >= 500;
/** How long the receiver holds each END webhook's answer: the "during END" window. */
export const END_ANSWER_DELAY_MS = 150;

export function startChurn(options: ChurnOptions): ChurnRun {
  const startedAt = Date.now();
  const loadEndsAt = startedAt + options.durationMs;
  const retryDeadline = loadEndsAt + options.retryWindowMs;
  const attempts: InboundAttempt[] = [];
  const calls: ResponseCall[] = [];
  const steps: ChurnSteps = {
    chats: 0,
    longChats: 0,
    concurrentDuplicates: 0,
    retriesAfter202: 0,
    replies: 0,
    endsByClient: 0,
    moBeforeEnd: 0,
    moDuringEnd: 0,
    moJustAfterEnd: 0,
    replyRacingEnd: 0,
    idleCloses: 0,
    moAtIdleDeadline: 0,
    lateReplies: 0,
  };
  const { route } = options;
  let stopped = false;

  // One pace for all contacts: MO slots 1/rate apart (a contact that is late takes the next free one).
  let nextSlot = startedAt;
  const moSlot = async () => {
    const at = Math.max(Date.now(), nextSlot);
    nextSlot = at + 1_000 / options.ratePerSecond;
    await sleep(at - Date.now());
  };

  const post = async (path: string, token: string | undefined, body: unknown, extra: Record<string, string> = {}) => {
    const response = await fetch(`${options.baseUrl()}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(options.requestTimeoutMs ?? 10_000),
    });
    const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    return { status: response.status, answer, retryAfter: response.headers.get('retry-after') };
  };

  /** A carrier's callback for one message, retried until 202, a final refusal or the window's end. */
  const sendMo = async (messageId: string, contact: string): Promise<InboundAttempt | undefined> => {
    const body = { messageId, from: contact, to: route.sender, text: `${messageId} from ${contact}` };
    for (let backoffMs = 300; ; backoffMs = Math.min(3_000, backoffMs * 2)) {
      const attempt: InboundAttempt = { messageId, contact, sentAt: Date.now(), answeredAt: 0, status: 0 };
      attempts.push(attempt);
      let waitMs = backoffMs;
      try {
        const { status, answer, retryAfter } = await post(
          `/carriers/${route.connectionCode}/inbound`,
          route.carrierSecret,
          body,
        );
        Object.assign(attempt, { status, answeredAt: Date.now() });
        if (status === 202)
          return Object.assign(attempt, { chatId: String(answer.chatId), duplicate: answer.duplicate === true });
        if (status === 429) waitMs = retryAfterMs(retryAfter);
      } catch {
        attempt.answeredAt = Date.now();
      }
      if (!retryable(attempt.status) || stopped || Date.now() + waitMs > retryDeadline) return undefined;
      await sleep(waitMs);
    }
  };

  /** A reply or END through the response webhook, retried under one Idempotency-Key. */
  const callResponseWebhook = async (
    type: ResponseCall['type'],
    contact: string,
    key: string,
  ): Promise<ResponseCall> => {
    const call: ResponseCall = {
      key,
      type,
      contact,
      firstSentAt: Date.now(),
      statuses: [],
      ...(type === 'MESSAGE' ? { text: key } : {}),
    };
    calls.push(call);
    const body =
      type === 'END'
        ? { type }
        : { type, channel: { type: 'SMS', route: route.sender, connection: route.connectionCode }, msg: key };
    for (let backoffMs = 300; ; backoffMs = Math.min(3_000, backoffMs * 2)) {
      let status = 0;
      let waitMs = backoffMs;
      try {
        const response = await post(
          `/integrations/live-chat/${route.integrationId}/chats/${contact}/events`,
          route.responseToken,
          body,
          { 'idempotency-key': key },
        );
        status = response.status;
        if (status === 202)
          Object.assign(call, {
            acceptedAt: Date.now(),
            eventId: String(response.answer.eventId),
            chatId: String(response.answer.chatId),
          });
        if (status === 429) waitMs = retryAfterMs(response.retryAfter);
      } catch {
        // No answer: retried under the same key.
      }
      call.statuses.push(status);
      if (!retryable(status) || stopped || Date.now() + waitMs > retryDeadline) return call;
      await sleep(waitMs);
    }
  };

  const runContact = async (index: number) => {
    const random = seededRandom(options.seed * 1_000_003 + index);
    const below = (limit: number) => Math.floor(random() * limit);
    const contact = String(5_491_170_000_000 + index);
    let sequence = 0;
    const nextMessageId = () => `churn-${index}-${(sequence += 1)}`;
    const nextKey = (kind: string) => `${kind}-${index}-${(sequence += 1)}`;
    // Spread the contacts' starts over the first seconds, so they do not all open at once.
    await sleep(below(3_000));
    while (!stopped && Date.now() < loadEndsAt) {
      steps.chats += 1;
      const long = random() < 0.25;
      const burst = long ? options.messagesPerRun + 1 + below(4) : 1 + below(3);
      if (long) steps.longChats += 1;
      for (let i = 0; i < burst && !stopped; i += 1) {
        await moSlot();
        const messageId = nextMessageId();
        const variant = random();
        if (variant < 0.1) {
          steps.concurrentDuplicates += 1;
          await Promise.all([sendMo(messageId, contact), sendMo(messageId, contact)]);
        } else if ((await sendMo(messageId, contact)) && variant < 0.2) {
          steps.retriesAfter202 += 1;
          await sleep(below(800));
          await sendMo(messageId, contact);
        }
        await sleep(below(300));
      }
      if (random() < 0.6) {
        for (let replies = 1 + below(2); replies > 0; replies -= 1) {
          steps.replies += 1;
          await callResponseWebhook('MESSAGE', contact, nextKey('reply'));
        }
      }
      const ending = random();
      if (ending < 0.5) await endByClient(contact, random, nextMessageId, nextKey);
      else if (ending < 0.75) {
        steps.idleCloses += 1;
        if (random() < 0.5) {
          // The loop's next MO lands around the deadline: in this chat, or in the next one while this one closes.
          steps.moAtIdleDeadline += 1;
          await sleep(options.idleTimeoutMs - 300 + below(600));
          continue;
        }
        await sleep(options.idleTimeoutMs + 500 + below(1_500));
        if (random() < 0.3) {
          steps.lateReplies += 1;
          await callResponseWebhook('MESSAGE', contact, nextKey('late-reply'));
        }
      } else await sleep(below(1_000));
    }
  };

  /** END from the client, and what the contact does around it. */
  const endByClient = async (
    contact: string,
    random: () => number,
    nextMessageId: () => string,
    nextKey: (kind: string) => string,
  ) => {
    steps.endsByClient += 1;
    const timing = (['before', 'during', 'just-after', 'reply-races'] as const)[Math.floor(random() * 4)]!;
    const jitterMs = Math.floor(random() * 50);
    if (timing === 'reply-races') {
      steps.replyRacingEnd += 1;
      await Promise.all([
        callResponseWebhook('END', contact, nextKey('end')),
        sleep(jitterMs / 5).then(() => callResponseWebhook('MESSAGE', contact, nextKey('racing-reply'))),
      ]);
      return;
    }
    await moSlot();
    const messageId = nextMessageId();
    if (timing === 'before') {
      steps.moBeforeEnd += 1;
      await Promise.all([
        callResponseWebhook('END', contact, nextKey('end')),
        sleep(jitterMs / 2).then(() => sendMo(messageId, contact)),
      ]);
      return;
    }
    const end = await callResponseWebhook('END', contact, nextKey('end'));
    const arrived = end.chatId ? await options.receiver.waitForEnd(end.chatId, 20_000) : undefined;
    if (arrived && timing === 'during') {
      steps.moDuringEnd += 1;
      await sleep(arrived.firstAt + (jitterMs * END_ANSWER_DELAY_MS) / 75 - Date.now());
    } else if (arrived) {
      steps.moJustAfterEnd += 1;
      await sleep(arrived.firstAt + END_ANSWER_DELAY_MS + jitterMs - Date.now());
    }
    await sendMo(messageId, contact);
  };

  const done = Promise.all(Array.from({ length: options.contacts }, (_, index) => runContact(index))).then(() =>
    Date.now(),
  );
  return { attempts, calls, steps, startedAt, done, stop: () => (stopped = true) };
}
