/**
 * Reconciles what the carrier was told (202 = chathook promised delivery) with what the
 * client endpoint processed: each accepted message delivered once, more than once, or never.
 */
import type { ChaosReceiver } from './chaos-receiver.js';
import type { MessageOutcome } from './load-generator.js';

export interface DuplicateDelivery {
  messageId: string;
  deliveries: Array<{ webhookId: string; count: number }>;
  /** One webhook-id sent twice (a retry whose first outcome chathook could not know), or several ids (the message was accepted twice). */
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
  /** Messages delivered after one of the same chat that was first sent only after their 202 (the chat's order broken). */
  orderViolations: number;
}

export const isAccepted = (outcome: MessageOutcome) => outcome.acceptedAt !== undefined;

export function undeliveredCount(outcomes: readonly MessageOutcome[], receiver: ChaosReceiver): number {
  return outcomes.filter((outcome) => isAccepted(outcome) && !receiver.webhookIdsByMessage.has(outcome.messageId)).length;
}

export function reconcile(outcomes: readonly MessageOutcome[], receiver: ChaosReceiver): Ledger {
  const ledger: Ledger = { sent: outcomes.length, accepted: 0, deliveredOnce: 0, duplicates: [], lost: [], deliveredWithoutAcceptance: 0, orderViolations: 0 };
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
  }
  ledger.orderViolations = countOrderViolations(outcomes, receiver);
  return ledger;
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
