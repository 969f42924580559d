/**
 * What the activities take and return. Part of the workflow contract (workflows/contract/): the
 * workflows schedule activities with these inputs and activities/ implements them, and neither
 * side imports the other's code; results are recorded in histories, so their shapes must stay
 * readable by a replay.
 */
import type { ChatEvent } from '../../src/domain/webhook-template.js';
import type { InboundMessage } from './chat-messages.js';
import type { ChatParties } from './chat-session.js';
import type { ActivationResult } from './integration-lifecycle.js';

// ─── Chat session (outbox): ids in the workflow, events in the deliveries collection ───────

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

/**
 * `duplicateOf`: the same (connection, messageId) was taken within 7 days by another acceptance, of this chat or
 * another.
 */
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

// ─── Integration lifecycle ─────────────────────────────────────────────────────────────────

export type BeginActivationResult =
  | { kind: 'ALREADY_ACTIVE'; result: ActivationResult }
  | { kind: 'GONE' }
  | { kind: 'BEGUN'; connectionCodes: string[] };

export interface ClaimConnectionInput {
  tenantId: string;
  integrationId: string;
  connectionCode: string;
}
