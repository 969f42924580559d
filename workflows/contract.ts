/**
 * The contract between chathook's workflows and everything that talks to them: workflow types
 * and ids, the messages (updates, queries) and the data they carry, the failure types they
 * throw, the search attributes they set and the activity options they share.
 *
 * Pure on purpose: workflows, activities and src/temporal import it; nothing here does I/O or
 * reads a clock, so it is safe inside the workflow sandbox. The API side never imports a
 * workflow implementation, only this module (through src/temporal/gateway.ts).
 */
import { defineSearchAttributeKey, type ActivityOptions } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Channel, ChatEvent } from '../src/domain/webhook-template.js';

// ─── Workflow types and ids ────────────────────────────────────────────────────────────────

/** The names the worker registers (workflows/index.ts exports functions of these names). */
export const WorkflowType = {
  /** New chats (since the outbox): events live in the deliveries collection, the workflow carries ids. */
  CHAT: 'chatSessionWorkflow',
  /** Chats started before the outbox: frozen code, kept registered until none of them runs any more. */
  LEGACY_CHAT: 'chatLifecycleWorkflow',
  ACTIVATION: 'integrationActivationWorkflow',
  DEACTIVATION: 'integrationDeactivationWorkflow',
  DELIVERY_REPLAY: 'deliveryReplayWorkflow',
} as const;

/** At most one chat per (integration, contact) is open: the id is derived from the pair. */
export const chatWorkflowId = (integrationId: string, contact: string) => `chat-${integrationId}-${contact}`;
export const activationWorkflowId = (integrationId: string) => `integration-activation-${integrationId}`;
export const deactivationWorkflowId = (integrationId: string) => `integration-deactivation-${integrationId}`;
export const replayWorkflowId = (deliveryId: string, requestId: string) => `delivery-replay-${deliveryId}-${requestId}`;
/** One replay series per delivery at a time: a second start while one runs is refused (409). */
export const deliveryReplayWorkflowId = (deliveryId: string) => `delivery-replay-${deliveryId}`;
/** Same carrier message, same update id: Temporal itself de-duplicates a carrier's retry. */
export const inboundUpdateId = (integrationId: string, connectionCode: string, messageId: string) =>
  `mo-${integrationId}-${connectionCode}-${messageId}`.slice(0, 250);

// ─── Failure types ─────────────────────────────────────────────────────────────────────────

/** `ApplicationFailure.type`s thrown by workflows and activities; callers map them by these. */
export const FailureType = {
  /** Chat update validators. */
  CHAT_CLOSING: 'CHAT_CLOSING',
  /** CHAT_MAX_PENDING undelivered events (or too many unsent replies): the caller retries later. */
  CHAT_BACKLOG: 'CHAT_BACKLOG',
  CHAT_NOT_FOUND: 'CHAT_NOT_FOUND',
  UNKNOWN_SENDER: 'UNKNOWN_SENDER',
  WINDOW_CLOSED: 'WINDOW_CLOSED',
  /** Integration lifecycle. */
  NOT_FOUND: 'NOT_FOUND',
  LINKED_TO_LIVE_CAMPAIGNS: 'LINKED_TO_LIVE_CAMPAIGNS',
  SENDER_IN_USE: 'SENDER_IN_USE',
  CONNECTION_NOT_FOUND: 'CONNECTION_NOT_FOUND',
  UNAVAILABLE: 'UNAVAILABLE',
  /** Webhook deliveries and carrier sends. */
  INTEGRATION_GONE: 'INTEGRATION_GONE',
  TEMPLATE_ERROR: 'TEMPLATE_ERROR',
  FORBIDDEN_TARGET: 'FORBIDDEN_TARGET',
  NETWORK_ERROR: 'NETWORK_ERROR',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];

/** The failure type of an HTTP answer that was not a success (`HTTP_503`). */
export const httpStatusFailureType = (statusCode: number) => `HTTP_${statusCode}`;

// ─── Search attributes ─────────────────────────────────────────────────────────────────────

/** Search attributes chat workflows carry (registered on the Temporal server at start). */
export const CHAT_SEARCH_ATTRIBUTE_KEYS = {
  integrationId: defineSearchAttributeKey('ChathookIntegrationId', 'KEYWORD'),
  contact: defineSearchAttributeKey('ChathookContact', 'KEYWORD'),
  channel: defineSearchAttributeKey('ChathookChannel', 'KEYWORD'),
  status: defineSearchAttributeKey('ChathookChatStatus', 'KEYWORD'),
} as const;

/** Their names, all of kind Keyword: what a server must have registered before chats start. */
export const CHAT_SEARCH_ATTRIBUTE_NAMES: readonly string[] = Object.values(CHAT_SEARCH_ATTRIBUTE_KEYS).map((key) => key.name);

// ─── Chat: messages and data ───────────────────────────────────────────────────────────────

export interface InboundMessage {
  messageId: string;
  connectionCode: string;
  /** The sender the contact wrote to. */
  sender: string;
  channel: Channel;
  text: string | null;
  media: { url: string; caption: string | null } | null;
  /** ISO-8601: the carrier's timestamp, or when chathook received the message. */
  timestamp: string;
}

export interface InboundAccepted {
  chatId: string;
  /** True when this messageId was already accepted: nothing new is delivered. */
  duplicate: boolean;
  openedAt: string;
  lastInboundAt: string;
  windowExpiresAt: string | null;
}

export type ReplyRequest =
  /** `connectionCode` empty: send through the connection the contact wrote to (chatbot campaigns). */
  | { type: 'MESSAGE'; channel: Channel; connectionCode: string; from: string; text: string }
  | { type: 'END' };

export interface ReplyAccepted {
  eventId: string;
  chatId: string;
}

export interface ChatSnapshot {
  chatId: string;
  contact: string;
  channel: Channel;
  connectionCode: string;
  sender: string;
  status: 'OPEN' | 'CLOSING';
  openedAt: string;
  lastInboundAt: string;
  windowExpiresAt: string | null;
  pendingDeliveries: number;
  pendingReplies: number;
}

export const receiveInboundUpdate = defineUpdate<InboundAccepted, [InboundMessage]>('receiveInbound');
export const sendReplyUpdate = defineUpdate<ReplyAccepted, [ReplyRequest]>('sendReply');
export const chatStateQuery = defineQuery<ChatSnapshot>('chatState');
/**
 * The integration's receiver answered again after failures (sent by the worker that saw it): a
 * delivery waiting out its backoff tries now instead of at its scheduled time, so a backlog
 * drains soon after an outage, not one doubled interval later.
 */
export const receiverRecoveredSignal = defineSignal<[]>('receiverRecovered');

/** Durations and limits the workflow needs, fixed at start (workflows read no configuration). */
export interface ChatSettings {
  whatsappWindowMs: number;
  idleTimeoutMs: number;
  deliveryMaxDurationMs: number;
  deliveryTimeoutMs: number;
  deliveryRetryInitialMs: number;
  deliveryRetryMaxIntervalMs: number;
  /** Continue as new after this many accepted messages in one run (Temporal caps updates per run at 2,000). */
  maxMessagesPerRun: number;
  /** CHAT_MAX_PENDING: undelivered events a chat holds before inbound messages are refused (429). Absent in legacy inputs. */
  maxPendingDeliveries?: number;
}

/** Replies waiting for their carrier that one chat holds (their text is in the workflow state, so it is bounded). */
export const MAX_PENDING_REPLIES = 50;
/** Carrier message ids a chat remembers (the deliveries store de-duplicates across chats for 7 days). */
export const SEEN_MESSAGE_IDS_KEPT = 200;

export interface PendingDelivery {
  deliveryId: string;
  event: ChatEvent;
  createdAt: string;
}

export interface PendingReply {
  eventId: string;
  channel: Channel;
  connectionCode: string;
  from: string;
  text: string;
  createdAt: string;
}

export type ChatStatus = 'OPEN' | 'CLOSING';
export type ChatClosedReason = 'CLIENT_END' | 'IDLE';

/** What one run hands the next when the chat continues as new. */
export interface ChatCarriedState {
  chatId: string;
  openedAt: string;
  lastInboundAt: string;
  lastActivityAt: string;
  status: ChatStatus;
  closedReason: ChatClosedReason | null;
  deliveries: PendingDelivery[];
  replies: PendingReply[];
  /** The most recent carrier message ids, for de-duplication across retries and runs. */
  seenMessageIds: string[];
  acceptedTotal: number;
}

/** Who the chat is between: what the first message fixes for the chat's whole life. */
export interface ChatParties {
  tenantId: string;
  integrationId: string;
  contact: string;
  channel: Channel;
  connectionCode: string;
  sender: string;
}

export interface ChatWorkflowInput extends ChatParties {
  settings: ChatSettings;
  carried?: ChatCarriedState;
}

export interface ChatSummary {
  chatId: string;
  closedReason: ChatClosedReason;
  acceptedTotal: number;
}

export type ChatLifecycleWorkflow = (input: ChatWorkflowInput) => Promise<ChatSummary>;

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

export interface ChatSessionState {
  chatId: string;
  openedAt: string;
  lastInboundAt: string;
  lastActivityAt: string;
  status: ChatStatus;
  closedReason: ChatClosedReason | null;
  deliveries: QueuedDelivery[];
  replies: PendingReply[];
  seenMessageIds: string[];
  acceptedTotal: number;
  /** Inbound messages that arrived while this chat was closing: they open the contact's next chat. */
  next: { chatId: string; deliveries: QueuedDelivery[]; seenMessageIds: string[]; firstInboundAt: string } | null;
  /** False until the read model has recorded the chat as open. */
  recordedOpen: boolean;
}

export interface ChatSessionInput extends ChatParties {
  settings: ChatSettings;
  carried?: ChatSessionState;
}

export type ChatSessionWorkflow = (input: ChatSessionInput) => Promise<ChatSummary>;

/** Accepting an inbound message: its delivery row and its (connection, messageId) receipt, inserted once. */
export interface AcceptInboundInput {
  deliveryId: string;
  tenantId: string;
  integrationId: string;
  chatId: string;
  contact: string;
  message: InboundMessage;
  acceptedAt: string;
}

/** `duplicateOf`: the same (connection, messageId) was accepted within 7 days, by this chat or another. */
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

// ─── Delivery replay ───────────────────────────────────────────────────────────────────────

export interface DeliverWebhookInput {
  tenantId: string;
  integrationId: string;
  deliveryId: string;
  event: ChatEvent;
  createdAt: string;
  /** A replay starts a new attempt series on a recorded delivery (same webhook-id). */
  replay?: boolean;
}

export interface DeliveryReplayInput {
  delivery: DeliverWebhookInput;
  settings: ChatSettings;
  /** Set for deliveries recorded by chat sessions (outbox rows): the replay's series number. */
  series?: number;
}

export type DeliveryReplayWorkflow = (input: DeliveryReplayInput) => Promise<void>;

// ─── Integration lifecycle ─────────────────────────────────────────────────────────────────

export interface ActivationInput {
  tenantId: string;
  integrationId: string;
}

export interface ConnectionOutcome {
  code: string;
  status: 'ACTIVE' | 'FAILED';
  error?: { code: string; message: string };
}

export interface ActivationResult {
  status: 'ACTIVE' | 'INACTIVE';
  partial: boolean;
  connections: ConnectionOutcome[];
  /** True when a stop cancelled this run before it could record its result. */
  cancelled?: boolean;
}

export type BeginActivationResult =
  | { kind: 'ALREADY_ACTIVE'; result: ActivationResult }
  | { kind: 'GONE' }
  | { kind: 'BEGUN'; connectionCodes: string[] };

export interface ClaimConnectionInput {
  tenantId: string;
  integrationId: string;
  connectionCode: string;
}

export interface DeactivationInput {
  tenantId: string;
  integrationId: string;
}

export type IntegrationActivationWorkflow = (input: ActivationInput) => Promise<ActivationResult>;
export type IntegrationDeactivationWorkflow = (input: DeactivationInput) => Promise<{ status: 'INACTIVE' }>;

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

/** Inserting a chat's rows (accepted events, attempts, outcomes) from inside a handler: fast, retried locally. */
export const RECORD_LOCAL_ACTIVITY_OPTIONS = {
  startToCloseTimeout: '5s',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '5s', maximumAttempts: 5 },
} as const;

/**
 * One webhook delivery as an attempt series: the chat's queue and a replay use the same policy.
 * Each attempt sets its own next interval (`nextRetryDelay`); these bound it.
 */
export const deliveryActivityOptions = (settings: ChatSettings): ActivityOptions => ({
  startToCloseTimeout: settings.deliveryTimeoutMs + 5_000,
  scheduleToCloseTimeout: settings.deliveryMaxDurationMs,
  retry: {
    initialInterval: settings.deliveryRetryInitialMs,
    backoffCoefficient: 2,
    maximumInterval: settings.deliveryRetryMaxIntervalMs,
  },
});
