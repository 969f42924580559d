/**
 * The chat calls as they were before the gateway: thin wrappers kept so callers can move to
 * `createTemporalGateway` (src/temporal/gateway.ts) one at a time. New code uses the gateway.
 */
import type { Client } from '@temporalio/client';
import type { Config } from '../platform/config.js';
import type { InboundAccepted, InboundMessage, ReplyRequest } from '../../workflows/contract/chat-messages.js';
import type { ChatParties } from '../../workflows/contract/chat-session.js';
import { chatSettingsOf, createTemporalGateway, replyToChat, type ReplyOutcome } from './gateway.js';

export { chatSettingsOf, type ReplyOutcome };

/** @see TemporalGateway.deliverInbound; a message the chat did not accept throws, naming why. */
export async function deliverInboundToChat(client: Client, config: Config, chat: ChatParties, message: InboundMessage): Promise<InboundAccepted> {
  const outcome = await createTemporalGateway({ client, taskQueue: config.temporal.taskQueue, chatSettings: chatSettingsOf(config) }).deliverInbound(chat, message);
  if (outcome.kind === 'ACCEPTED') return outcome.accepted;
  throw new Error(outcome.kind === 'REJECTED' ? `${outcome.rejection.type}: ${outcome.rejection.message}` : `chat ${outcome.workflowId} unavailable: ${outcome.reason}`);
}

/** @see TemporalGateway.sendReply */
export function sendReplyToChat(client: Client, integrationId: string, contact: string, request: ReplyRequest, updateId?: string): Promise<ReplyOutcome> {
  return replyToChat(client, integrationId, contact, request, updateId);
}
