/**
 * The chat session workflow's signature: who the chat is between, the settings it is started
 * with, and what it returns. Part of the workflow contract (workflows/contract/): the gateway
 * starts chats with this input and the workflow hands it to its next run, so both sides share it.
 */
import type { Channel } from '../../src/domain/webhook-template.js';
import type { ChatClosedReason, ChatSessionState } from './chat-state.js';

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

/** Who the chat is between: what the first message fixes for the chat's whole life. */
export interface ChatParties {
  tenantId: string;
  integrationId: string;
  contact: string;
  channel: Channel;
  connectionCode: string;
  sender: string;
}

export interface ChatSessionInput extends ChatParties {
  settings: ChatSettings;
  /** Absent on the contact's first message; set by a run that hands over. */
  carried?: ChatSessionState;
}

export interface ChatSummary {
  chatId: string;
  closedReason: ChatClosedReason;
  acceptedTotal: number;
}

export type ChatSessionWorkflow = (input: ChatSessionInput) => Promise<ChatSummary>;
