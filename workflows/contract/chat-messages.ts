/**
 * The chat session's public messages: the updates, query and signal the API and the worker send
 * to a chat, and the data they carry. Part of the workflow contract (workflows/contract/): the
 * names given to defineUpdate/defineQuery/defineSignal are recorded in histories, so they never
 * change.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Channel } from '../../src/domain/webhook-template.js';

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
  { type: 'MESSAGE'; channel: Channel; connectionCode: string; from: string; text: string } | { type: 'END' };

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
