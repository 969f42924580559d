/**
 * Reconciles what the carrier was told (202 = chathook promised delivery) with what the
 * client endpoint processed: each accepted message delivered once, more than once, or never,
 * in the chat its 202 named, in order, before its chat's END. The churn checks (reconcileChurn)
 * add what a churning contact population can break: duplicate answers, double acceptances,
 * replies (sent to the carrier once, none accepted after its chat's END) and ENDs.
 */
import type { ChaosCarrier } from './chaos-carrier.js';
import type { ChaosReceiver } from './chaos-receiver.js';
import type { MessageOutcome } from './load-generator.js';

export interface DuplicateDelivery {
  messageId: string;
  deliveries: Array<{ webhookId: string; count: number }>;
  /**
   * One webhook-id sent twice (a retry whose first outcome chathook could not know), or several ids (the message was
   * accepted twice).
   */
  sameWebhookId: boolean;
}

export interface Ledger {
  sent: number;
  accepted: number;
  deliveredOnce: number;
  duplicates: DuplicateDelivery[];
  /** Accepted (202) and never processed by the client endpoint. */
  lost: string[];
  /** Processed by the client although the carrier never saw a 202 (it gave up or the answer was lost). */
  deliveredWithoutAcceptance: number;
  /**
   * Messages delivered after one of the same chat that was first sent only after their 202 (the chat's order broken).
   */
  orderViolations: number;
  /** Delivered in another chat than the one their 202 named. */
  wrongChat: string[];
  /** First delivered in a chat after that chat's END had arrived (END must be last). */
  afterEnd: string[];
  /** Chats whose END reached the client under more than one webhook-id (closed twice). */
  endedTwice: string[];
}

export const isAccepted = (outcome: MessageOutcome) => outcome.acceptedAt !== undefined;

export function undeliveredCount(outcomes: readonly MessageOutcome[], receiver: ChaosReceiver): number {
  return outcomes.filter((outcome) => isAccepted(outcome) && !receiver.webhookIdsByMessage.has(outcome.messageId))
    .length;
}

export function reconcile(outcomes: readonly MessageOutcome[], receiver: ChaosReceiver): Ledger {
  const ledger: Ledger = {
    sent: outcomes.length,
    accepted: 0,
    deliveredOnce: 0,
    duplicates: [],
    lost: [],
    deliveredWithoutAcceptance: 0,
    orderViolations: 0,
    wrongChat: [],
    afterEnd: [],
    endedTwice: [],
  };
  for (const outcome of outcomes) {
    const deliveries = receiver.deliveriesOf(outcome.messageId);
    const total = deliveries.reduce((sum, delivery) => sum + delivery.count, 0);
    if (!isAccepted(outcome)) {
      if (total > 0) ledger.deliveredWithoutAcceptance += 1;
      continue;
    }
    ledger.accepted += 1;
    if (total === 0) ledger.lost.push(outcome.messageId);
    else if (total === 1) ledger.deliveredOnce += 1;
    else ledger.duplicates.push({ messageId: outcome.messageId, deliveries, sameWebhookId: deliveries.length === 1 });
    const deliveredIn = new Set(deliveries.map((delivery) => receiver.accepted.get(delivery.webhookId)?.chatId));
    if (outcome.chatId !== undefined && total > 0 && (deliveredIn.size > 1 || !deliveredIn.has(outcome.chatId)))
      ledger.wrongChat.push(outcome.messageId);
  }
  ledger.orderViolations = countOrderViolations(outcomes, receiver);
  for (const delivery of receiver.accepted.values()) {
    const end = receiver.endsByChat.get(delivery.chatId);
    if (end && delivery.firstAt > end.firstAt) ledger.afterEnd.push(delivery.messageId);
  }
  ledger.endedTwice = [...receiver.endsByChat.values()]
    .filter((end) => end.webhookIds.size > 1)
    .map((end) => end.chatId);
  return ledger;
}

/** Every broken promise of a ledger, one line each (empty = clean); repeats under one webhook-id are allowed. */
export function ledgerViolations(ledger: Ledger): string[] {
  const some = (ids: readonly string[]) => `${ids.length}, e.g. ${ids.slice(0, 5).join(', ')}`;
  const doubled = ledger.duplicates
    .filter((duplicate) => !duplicate.sameWebhookId)
    .map((duplicate) => duplicate.messageId);
  return [
    ledger.lost.length > 0 ? `lost (202, never delivered): ${some(ledger.lost)}` : '',
    doubled.length > 0 ? `delivered under several webhook-ids: ${some(doubled)}` : '',
    ledger.orderViolations > 0 ? `order violations: ${ledger.orderViolations}` : '',
    ledger.wrongChat.length > 0 ? `delivered in another chat than its 202 named: ${some(ledger.wrongChat)}` : '',
    ledger.afterEnd.length > 0 ? `delivered after its chat's END: ${some(ledger.afterEnd)}` : '',
    ledger.endedTwice.length > 0 ? `chats ended twice: ${some(ledger.endedTwice)}` : '',
  ].filter(Boolean);
}

function countOrderViolations(outcomes: readonly MessageOutcome[], receiver: ChaosReceiver): number {
  const byId = new Map(outcomes.map((outcome) => [outcome.messageId, outcome]));
  let violations = 0;
  for (const order of receiver.orderByChat.values()) {
    // Walking the chat's arrivals: a message whose 202 came before an already-delivered one was
    // first sent arrived too late. (First send, not the send that got the 202: a request that
    // timed out may have been accepted all the same, and its retry only answered later.)
    let latestFirstSentAt = Number.NEGATIVE_INFINITY;
    for (const messageId of order) {
      const outcome = byId.get(messageId);
      if (outcome?.acceptedAt === undefined) continue;
      if (outcome.acceptedAt < latestFirstSentAt) violations += 1;
      latestFirstSentAt = Math.max(latestFirstSentAt, outcome.dueAt);
    }
  }
  return violations;
}

// ─── Churn: many contacts opening, ending and reopening chats ─────────────────────────────

/** One request of a carrier's callback (a message is posted again on retries and as a duplicate). */
export interface InboundAttempt {
  messageId: string;
  contact: string;
  sentAt: number;
  answeredAt: number;
  /** HTTP status; 0 when no answer came (timeout, network error). */
  status: number;
  chatId?: string;
  duplicate?: boolean;
}

/** A call of the response webhook (a reply or END), over its retries under one Idempotency-Key. */
export interface ResponseCall {
  key: string;
  type: 'MESSAGE' | 'END';
  contact: string;
  text?: string;
  firstSentAt: number;
  /** The 202, if one came. */
  acceptedAt?: number;
  eventId?: string;
  chatId?: string;
  /** Every status answered, in order (0 = no answer). */
  statuses: number[];
}

export interface ReplyLedger {
  accepted: number;
  sentOnce: number;
  /** Sent again under the same id (a send whose outcome chathook could not know). */
  sentAgainSameId: number;
  /** Accepted (202) and never sent to the carrier. */
  unsent: string[];
  /** Sent with another text than the reply accepted under its eventId. */
  wrongText: string[];
  /** Sent although no reply got a 202 for that id (the client gave up on a reply chathook took). */
  sentWithoutAcceptance: number;
  /** Accepted into a chat although first sent after that chat's END was accepted or delivered. */
  acceptedAfterEnd: string[];
}

export interface ChurnLedger {
  messages: Ledger;
  /** Messages answered 202 without `duplicate` more than once: accepted twice. */
  acceptedTwice: string[];
  /**
   * `duplicate: true` for a message never delivered, or with no earlier request of it that chathook could have taken.
   */
  unfoundedDuplicates: string[];
  /** Delivered although every answer was a final refusal (4xx): chathook refused it and still sent it. */
  deliveredAfterRefusal: string[];
  replies: ReplyLedger;
  /** ENDs accepted (202) whose chat's END never reached the client. */
  endsUndelivered: string[];
  endsAccepted: number;
}

/**
 * Per message, the outcome the loss ledger reconciles: its first request, and its first 202 that was not a duplicate
 * (else its first 202).
 */
export function outcomesOf(attempts: readonly InboundAttempt[]): MessageOutcome[] {
  const byMessage = new Map<string, InboundAttempt[]>();
  for (const attempt of attempts)
    byMessage.set(attempt.messageId, [...(byMessage.get(attempt.messageId) ?? []), attempt]);
  return [...byMessage.values()].map((tries) => {
    const ordered = [...tries].sort((a, b) => a.sentAt - b.sentAt);
    const accepting =
      ordered.find((attempt) => attempt.status === 202 && !attempt.duplicate) ??
      ordered.find((attempt) => attempt.status === 202);
    const outcome: MessageOutcome = {
      messageId: ordered[0]!.messageId,
      contact: ordered[0]!.contact,
      dueAt: ordered[0]!.sentAt,
      answeredDuplicate: accepting?.duplicate === true,
    };
    if (accepting)
      Object.assign(outcome, {
        acceptedSentAt: accepting.sentAt,
        acceptedAt: accepting.answeredAt,
        chatId: accepting.chatId,
      });
    else outcome.rejectedWith = String(ordered[ordered.length - 1]!.status);
    return outcome;
  });
}

const isFinalRefusal = (status: number) => status >= 400 && status < 500 && status !== 429;

export function reconcileChurn(
  attempts: readonly InboundAttempt[],
  calls: readonly ResponseCall[],
  receiver: ChaosReceiver,
  carrier: ChaosCarrier,
): ChurnLedger {
  const messages = reconcile(outcomesOf(attempts), receiver);
  const byMessage = new Map<string, InboundAttempt[]>();
  for (const attempt of attempts)
    byMessage.set(attempt.messageId, [...(byMessage.get(attempt.messageId) ?? []), attempt]);
  const acceptedTwice: string[] = [];
  const unfoundedDuplicates: string[] = [];
  const deliveredAfterRefusal: string[] = [];
  for (const [messageId, tries] of byMessage) {
    const delivered = receiver.webhookIdsByMessage.has(messageId);
    if (tries.filter((attempt) => attempt.status === 202 && !attempt.duplicate).length > 1)
      acceptedTwice.push(messageId);
    // A duplicate answer promises the message was taken before: by a request of it sent before this answer came, and
    // delivered.
    const duplicates = tries.filter((attempt) => attempt.status === 202 && attempt.duplicate);
    if (
      duplicates.some(
        (answer) => !delivered || !tries.some((other) => other !== answer && other.sentAt <= answer.answeredAt),
      )
    )
      unfoundedDuplicates.push(messageId);
    if (delivered && tries.every((attempt) => isFinalRefusal(attempt.status))) deliveredAfterRefusal.push(messageId);
  }

  const ends = calls.filter((call) => call.type === 'END' && call.acceptedAt !== undefined);
  const endAcceptedAt = new Map<string, number>();
  for (const end of ends)
    endAcceptedAt.set(end.chatId!, Math.min(end.acceptedAt!, endAcceptedAt.get(end.chatId!) ?? Infinity));
  const replies: ReplyLedger = {
    accepted: 0,
    sentOnce: 0,
    sentAgainSameId: 0,
    unsent: [],
    wrongText: [],
    sentWithoutAcceptance: 0,
    acceptedAfterEnd: [],
  };
  const acceptedIds = new Set<string>();
  for (const reply of calls.filter((call) => call.type === 'MESSAGE' && call.acceptedAt !== undefined)) {
    replies.accepted += 1;
    acceptedIds.add(reply.eventId!);
    const sent = carrier.sent.get(reply.eventId!);
    if (!sent) replies.unsent.push(reply.key);
    else if (sent.count === 1) replies.sentOnce += 1;
    else replies.sentAgainSameId += 1;
    if (sent && sent.text !== reply.text) replies.wrongText.push(reply.key);
    // The first request of the call, not the one that got the 202: a retry may answer the first's result.
    const closedAt = Math.min(
      endAcceptedAt.get(reply.chatId!) ?? Infinity,
      receiver.endsByChat.get(reply.chatId!)?.firstAt ?? Infinity,
    );
    if (reply.firstSentAt > closedAt) replies.acceptedAfterEnd.push(reply.key);
  }
  replies.sentWithoutAcceptance = [...carrier.sent.keys()].filter((id) => !acceptedIds.has(id)).length;
  const endsUndelivered = [...endAcceptedAt.keys()].filter((chatId) => !receiver.endsByChat.has(chatId));
  return {
    messages,
    acceptedTwice,
    unfoundedDuplicates,
    deliveredAfterRefusal,
    replies,
    endsUndelivered,
    endsAccepted: ends.length,
  };
}

/** Every broken promise of a churn ledger, one line each (empty = clean). */
export function churnViolations(ledger: ChurnLedger): string[] {
  const some = (what: string, ids: readonly string[]) =>
    ids.length > 0 ? `${what}: ${ids.length}, e.g. ${ids.slice(0, 5).join(', ')}` : '';
  return [
    ...ledgerViolations(ledger.messages),
    some('accepted twice (two 202s without duplicate)', ledger.acceptedTwice),
    some('duplicate: true for a message not taken before', ledger.unfoundedDuplicates),
    some('delivered although refused', ledger.deliveredAfterRefusal),
    some('replies accepted and never sent to the carrier', ledger.replies.unsent),
    some('replies sent with another text', ledger.replies.wrongText),
    some('replies accepted after their chat ended', ledger.replies.acceptedAfterEnd),
    some('ENDs accepted and never delivered', ledger.endsUndelivered),
  ].filter(Boolean);
}
