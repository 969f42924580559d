/**
 * Open-loop carrier: message i of the run is due at start + i/rate whatever happened before,
 * from `contacts` contacts in turn, each with a unique messageId. Like a carrier it retries a
 * message (same messageId) on 429 (after Retry-After), 503, 5xx, timeouts and network errors,
 * until the retry deadline; other answers are final.
 */
import type { ChaosRoute } from './chaos-setup.js';

export interface LoadOptions {
  baseUrl: () => string;
  route: ChaosRoute;
  label: string;
  ratePerSecond: number;
  durationMs: number;
  contacts: number;
  /** Length of each message text (its first word is the messageId; the rest is padding). */
  textLength?: number;
  /** A carrier stops retrying a message this long after the load ended. */
  retryWindowMs: number;
  requestTimeoutMs?: number;
}

export interface MessageOutcome {
  messageId: string;
  contact: string;
  dueAt: number;
  /** When the request that got the 202 was sent, and when the 202 came. */
  acceptedSentAt?: number;
  acceptedAt?: number;
  chatId?: string;
  /** A 202 that said `duplicate: true` (the carrier's retry of an already accepted message). */
  answeredDuplicate: boolean;
  /** The final answer when no 202 came: status code or error name. */
  rejectedWith?: string;
}

export interface ResponseTally {
  accepted: number;
  backlog429: number;
  unavailable503: number;
  otherStatus: number;
  errors: number;
}

export interface LoadRun {
  outcomes: MessageOutcome[];
  tally: ResponseTally;
  startedAt: number;
  /** Resolves when the last message was sent the first time. */
  sent: Promise<number>;
  /** Resolves when every message has its final answer (202, final refusal, or retries given up). */
  settled: Promise<void>;
  /** Sends nothing more (a run that failed half-way must not keep calling a stack that is gone). */
  stop(): void;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

export function retryAfterMs(header: string | null): number {
  if (header === null) return 1_000;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1_000 : Date.parse(header) - Date.now();
  return Math.min(10_000, Math.max(200, Number.isFinite(ms) ? ms : 1_000));
}

export function startLoad(options: LoadOptions): LoadRun {
  const count = Math.max(1, Math.round((options.ratePerSecond * options.durationMs) / 1_000));
  const startedAt = Date.now() + 100;
  const tally: ResponseTally = { accepted: 0, backlog429: 0, unavailable503: 0, otherStatus: 0, errors: 0 };
  const outcomes: MessageOutcome[] = Array.from({ length: count }, (_, index) => ({
    messageId: `${options.label}-${index}`,
    contact: String(5_491_100_000_000 + (index % options.contacts)),
    dueAt: startedAt + (index * 1_000) / options.ratePerSecond,
    answeredDuplicate: false,
  }));
  const lastDue = outcomes[outcomes.length - 1]!.dueAt;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.route.carrierSecret) headers.authorization = `Bearer ${options.route.carrierSecret}`;

  let stopped = false;
  const deliver = async (outcome: MessageOutcome): Promise<void> => {
    await sleep(outcome.dueAt - Date.now());
    if (stopped) return;
    const padding = options.textLength
      ? ' ' + 'x'.repeat(Math.max(0, options.textLength - outcome.messageId.length - 1))
      : '';
    const body = JSON.stringify({
      messageId: outcome.messageId,
      from: outcome.contact,
      to: options.route.sender,
      text: `${outcome.messageId}${padding}`,
    });
    let backoffMs = 500;
    for (;;) {
      const sentAt = Date.now();
      let waitMs = backoffMs;
      try {
        const response = await fetch(`${options.baseUrl()}/carriers/${options.route.connectionCode}/inbound`, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.timeout(options.requestTimeoutMs ?? 10_000),
        });
        const answer = (await response.json().catch(() => ({}))) as { chatId?: string; duplicate?: boolean };
        if (response.status === 202) {
          tally.accepted += 1;
          Object.assign(outcome, {
            acceptedSentAt: sentAt,
            acceptedAt: Date.now(),
            chatId: answer.chatId,
            answeredDuplicate: answer.duplicate === true,
            rejectedWith: undefined,
          });
          return;
        }
        if (response.status === 429) {
          tally.backlog429 += 1;
          waitMs = retryAfterMs(response.headers.get('retry-after'));
        } else if (response.status === 503) {
          tally.unavailable503 += 1;
        } else {
          tally.otherStatus += 1;
          if (response.status < 500) {
            outcome.rejectedWith = String(response.status);
            return;
          }
        }
        outcome.rejectedWith = String(response.status);
      } catch (error) {
        tally.errors += 1;
        outcome.rejectedWith = (error as Error).name;
      }
      if (stopped || Date.now() + waitMs > lastDue + options.retryWindowMs) return;
      await sleep(waitMs);
      backoffMs = Math.min(5_000, backoffMs * 2);
    }
  };

  const settled = Promise.all(outcomes.map(deliver)).then(() => undefined);
  const sent = sleep(lastDue - Date.now()).then(() => Date.now());
  return { outcomes, tally, startedAt, sent, settled, stop: () => (stopped = true) };
}
