/**
 * The contract between chathook's workflows and everything that talks to them: workflow types
 * and ids, the messages (updates, queries) and the data they carry, the failure types they
 * throw, the search attributes they set and the activity options they share.
 *
 * Pure on purpose: workflows, activities and src/temporal import it; nothing here does I/O or
 * reads a clock, so it is safe inside the workflow sandbox. The API side never imports a
 * workflow implementation, only this module (through src/temporal/gateway.ts).
 */
import { defineSearchAttributeKey } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Channel, ChatEvent } from '../src/domain/webhook-template.js';

// ─── Workflow types and ids ────────────────────────────────────────────────────────────────

/** The names the worker registers (workflows/index.ts exports functions of these names). */
export const WorkflowType = {
  /** Events live in the deliveries collection; the workflow carries ids. */
  CHAT: 'chatSessionWorkflow',
  ACTIVATION: 'integrationActivationWorkflow',
  DEACTIVATION: 'integrationDeactivationWorkflow',
  DELIVERY_REPLAY: 'deliveryReplayWorkflow',
} as const;

/** At most one chat per (integration, contact) is open: the id is derived from the pair. */
export const chatWorkflowId = (integrationId: string, contact: string) => `chat-${integrationId}-${contact}`;
export const activationWorkflowId = (integrationId: string) => `integration-activation-${integrationId}`;
export const deactivationWorkflowId = (integrationId: string) => `integration-deactivation-${integrationId}`;
/** One replay series per delivery at a time: a second start while one runs is refused (409). */
export const deliveryReplayWorkflowId = (deliveryId: string) => `delivery-replay-${deliveryId}`;

// ─── Failure types ─────────────────────────────────────────────────────────────────────────

/** `ApplicationFailure.type`s thrown by workflows and activities; callers map them by these. */
export const FailureType = {
  /**
   * Chat update validators. CHAT_HANDING_OVER: the run is handing over (continue-as-new, or the
   * contact's next chat) and takes nothing more; the gateway asks again, and the next run answers.
   */
  CHAT_HANDING_OVER: 'CHAT_HANDING_OVER',
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
  /** The chat that has the message: this chat, the contact's next one, or (duplicate) the one that took it first. */
  chatId: string;
  /** True when this (connection, messageId) was taken before (its receipt says by whom): nothing new is delivered. */
  duplicate: boolean;
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
  /** CHAT_MAX_PENDING: undelivered events a chat holds before inbound messages are refused (429). */
  maxPendingDeliveries: number;
}

/** Replies waiting for their carrier that one chat holds (their text is in the workflow state, so it is bounded). */
export const MAX_PENDING_REPLIES = 50;

export interface PendingReply {
  eventId: string;
  channel: Channel;
  connectionCode: string;
  from: string;
  text: string;
  createdAt: string;
}

export type ChatClosedReason = 'CLIENT_END' | 'IDLE';

/** Who the chat is between: what the first message fixes for the chat's whole life. */
export interface ChatParties {
  tenantId: string;
  integrationId: string;
  contact: string;
  channel: Channel;
  connectionCode: string;
  sender: string;
}

export interface ChatSummary {
  chatId: string;
  closedReason: ChatClosedReason;
  acceptedTotal: number;
}

// ─── Delivery replay ───────────────────────────────────────────────────────────────────────

export interface DeliverWebhookInput {
  tenantId: string;
  integrationId: string;
  deliveryId: string;
  event: ChatEvent;
  createdAt: string;
}

export interface DeliveryReplayInput {
  delivery: DeliverWebhookInput;
  settings: ChatSettings;
  /** The replay's series number: one after the last recorded (the chat's own is 0). */
  series: number;
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

export * from './contract-activities.js';
