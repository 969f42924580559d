/**
 * Messages of the chat workflow and the data they carry, in one place: the API (client side),
 * the workflow and the tests share these definitions.
 */
import { defineSearchAttributeKey } from '@temporalio/common';
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Channel, ChatEvent } from '../src/domain/webhook-template.js';

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
}

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

export interface ChatCarriedState {
  chatId: string;
  openedAt: string;
  lastInboundAt: string;
  lastActivityAt: string;
  status: 'OPEN' | 'CLOSING';
  closedReason: 'CLIENT_END' | 'IDLE' | null;
  deliveries: PendingDelivery[];
  replies: PendingReply[];
  /** The most recent carrier message ids, for de-duplication across retries and runs. */
  seenMessageIds: string[];
  acceptedTotal: number;
}

export interface ChatWorkflowInput {
  tenantId: string;
  integrationId: string;
  contact: string;
  channel: Channel;
  connectionCode: string;
  sender: string;
  settings: ChatSettings;
  carried?: ChatCarriedState;
}

export interface ChatSummary {
  chatId: string;
  closedReason: 'CLIENT_END' | 'IDLE';
  acceptedTotal: number;
}

export const chatWorkflowId = (integrationId: string, contact: string) => `chat-${integrationId}-${contact}`;

/** Search attributes chat workflows carry (registered on the Temporal server at start). */
export const CHAT_SEARCH_ATTRIBUTE_KEYS = {
  integrationId: defineSearchAttributeKey('ChathookIntegrationId', 'KEYWORD'),
  contact: defineSearchAttributeKey('ChathookContact', 'KEYWORD'),
  channel: defineSearchAttributeKey('ChathookChannel', 'KEYWORD'),
  status: defineSearchAttributeKey('ChathookChatStatus', 'KEYWORD'),
} as const;

export const SEEN_MESSAGE_IDS_KEPT = 2_000;

/** Why a delivery was given up, in the receiver's terms rather than Temporal's wrapper. */
export function deliveryFailureReason(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  if (cause instanceof Error && cause.name === 'TimeoutFailure') return 'DELIVERY_MAX_DURATION spent without a successful attempt';
  return cause instanceof Error ? cause.message : String(cause);
}
