/**
 * Part of the workflow contract (re-exported by ./contract.ts, which is what other layers import):
 * the data a chat session's activities take and return, and the activity option sets the
 * workflows share. Pure, like the rest of the contract.
 */
import type { ActivityOptions } from '@temporalio/common';
import type { ChatEvent } from '../src/domain/webhook-template.js';
import type { ChatClosedReason, ChatParties, ChatSettings, ChatSummary, InboundMessage, PendingReply } from './contract.js';

// ─── Chat session (outbox): ids in the workflow, events in the deliveries collection ───────

/** One event waiting in a chat's queue: its row holds the payload; this holds the attempt series' progress. */
export interface QueuedDelivery {
  deliveryId: string;
  event: 'MESSAGE' | 'END';
  /** Attempts made in the current series (carried across runs, so backoff and numbering go on). */
  attempts: number;
  /** When the series' first attempt started: DELIVERY_MAX_DURATION counts from it. */
  firstAttemptAt: string | null;
  /** The next attempt waits until then (backoff, Retry-After). */
  nextAttemptAt: string | null;
}

/**
 * Where a chat is in its life (SPEC section 6); every validator and handler decides by it.
 *   OPEN            — inbound messages join this chat; replies and END are accepted.
 *   CLOSE_REQUESTED — END was asked for (by the client, or idleness): from here on inbound
 *                     messages open the contact's next chat and replies are refused; the
 *                     workflow writes the END event's row.
 *   CLOSING         — END is queued after everything accepted before it; the queues drain.
 *   CLOSED          — END went out; the replies left are sent, the read model closes, then the
 *                     run hands over to the next chat (if messages came meanwhile) or completes.
 *                     Carried only by a run that ended while END's last attempt was in flight.
 */
export type ChatPhase = 'OPEN' | 'CLOSE_REQUESTED' | 'CLOSING' | 'CLOSED';

/** One chat's conversation as the run hands it to the next: ids and clocks only, never a message body but a reply's. */
export interface ChatSessionState {
  chatId: string;
  phase: ChatPhase;
  closedReason: ChatClosedReason | null;
  openedAt: string;
  lastInboundAt: string;
  /** The idle timeout counts from here: the last accepted message either way. */
  lastActivityAt: string;
  deliveries: QueuedDelivery[];
  replies: PendingReply[];
  acceptedTotal: number;
  /** True once the chat read model has this chat's row (written by an accept, before its 202). */
  listed: boolean;
  /** The contact's next chat, opened by messages that came once END was asked for. */
  next: NextChat | null;
}

/** Messages accepted for the contact's next chat while this one closes: that chat's first queue. */
export interface NextChat {
  chatId: string;
  openedAt: string;
  lastInboundAt: string;
  deliveries: QueuedDelivery[];
  listed: boolean;
}

export interface ChatSessionInput extends ChatParties {
  settings: ChatSettings;
  carried?: ChatSessionState;
}

export type ChatSessionWorkflow = (input: ChatSessionInput) => Promise<ChatSummary>;

/** The chat read model's row of a chat, written by the first accept of a message that joins it. */
export interface ChatOpenedRecord extends ChatParties {
  chatId: string;
  workflowId: string;
  openedAt: string;
  lastInboundAt?: string;
  windowExpiresAt?: string | null;
}

/**
 * Accepting an inbound message: its payload, its (connection, messageId) receipt, then its listed
 * delivery row. The receipt is the one judge of "duplicate": whoever inserts it first has the
 * message (see acceptInboundEvent).
 */
export interface AcceptInboundInput {
  deliveryId: string;
  tenantId: string;
  integrationId: string;
  chatId: string;
  contact: string;
  message: InboundMessage;
  acceptedAt: string;
  /** A new chat's first accepts also write its read-model row (no activity of its own). */
  openChat?: ChatOpenedRecord;
}

/** `duplicateOf`: the same (connection, messageId) was taken within 7 days by another acceptance, of this chat or another. */
export type AcceptInboundResult = { duplicateOf: null } | { duplicateOf: { chatId: string; deliveryId: string } };

/** A chat event the workflow itself creates (END): its delivery row. */
export interface RecordChatEventInput {
  deliveryId: string;
  tenantId: string;
  integrationId: string;
  event: ChatEvent;
  createdAt: string;
}

export interface DeliveryAttemptRecord {
  deliveryId: string;
  /** 0 for the chat's series, then one per replay. */
  series: number;
  attempt: number;
  at: string;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  outcome: 'SUCCEEDED' | 'RETRY' | 'FAILED';
}

export interface AttemptDeliveryInput {
  tenantId: string;
  integrationId: string;
  deliveryId: string;
  series: number;
  /** 1 for the series' first attempt. */
  attempt: number;
}

/**
 * One attempt's result. `record` is set when the attempt could not be written in time: the
 * workflow writes it (a slow write must never make a delivered request be sent again).
 */
export type AttemptOutcome =
  | { kind: 'DELIVERED'; record: DeliveryAttemptRecord | null }
  | { kind: 'RETRY'; retryInMs: number; reason: string; record: DeliveryAttemptRecord | null }
  | { kind: 'FAILED'; reason: string; record: DeliveryAttemptRecord | null };

/** A series ended without success (permanent failure, or DELIVERY_MAX_DURATION spent). */
export interface DeliveryGivenUpInput {
  deliveryId: string;
  series: number;
  reason: string;
  at: string;
}


// ─── Activity options the workflows share ──────────────────────────────────────────────────

/** Read-model writes (chat opened/closed, delivery given up): retried until the database answers. */
export const RECORD_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '1m' },
};

/**
 * One reply through its carrier: retried for up to an hour. A short start-to-close (one HTTP
 * request): a send lost with a SIGKILLed worker is retried after 15 s, not 30, and the replies
 * queued behind it wait no longer (changing activity options keeps recorded histories replaying).
 */
export const CARRIER_SEND_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '15s',
  scheduleToCloseTimeout: '1h',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '5m' },
};

/**
 * Activation and stop: data problems fail at once (non-retryable); infrastructure problems (the
 * database not answering) are retried a bounded number of times.
 */
export const LIFECYCLE_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 6 },
};

/**
 * One webhook attempt (chat sessions): the workflow owns the backoff between attempts, so a
 * retrying delivery never holds up continue-as-new; Temporal retries only an attempt whose
 * outcome is unknown (the worker died or the activity timed out: a duplicate with the same
 * webhook-id is possible there, and only there). Short start-to-close: a SIGKILLed worker's
 * attempt is retried after at most DELIVERY_TIMEOUT + 5 s.
 */
export const attemptActivityOptions = (settings: ChatSettings): ActivityOptions => ({
  startToCloseTimeout: settings.deliveryTimeoutMs + 5_000,
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});

/**
 * Accepting an inbound message (from its update's handler): retried until the database answers,
 * never given up. Once its receipt may be written, the message belongs to this acceptance, whose
 * update is durable (the activity was scheduled by the task that accepted it): giving up would
 * leave a receipt that answers "duplicate" for a message no chat queued. A caller that waits too
 * long gets its 503 from the gateway's bound and retries; the retry reads the receipt.
 */
export const ACCEPT_ACTIVITY_OPTIONS: ActivityOptions = {
  // Long enough for a loaded database: a timed-out attempt is not stopped, so a short timeout
  // stacks attempts on the store that is already slow.
  startToCloseTimeout: '30s',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '5s' },
};
