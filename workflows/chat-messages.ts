/**
 * The chat's messages and data now live in ./contract.ts; this module keeps the names it used to
 * export (and the workflow-side helpers the chat and the replay share).
 */
export {
  CHAT_SEARCH_ATTRIBUTE_KEYS,
  chatStateQuery,
  chatWorkflowId,
  receiveInboundUpdate,
  sendReplyUpdate,
  type ChatCarriedState,
  type ChatSettings,
  type ChatSnapshot,
  type ChatSummary,
  type ChatWorkflowInput,
  type InboundAccepted,
  type InboundMessage,
  type PendingDelivery,
  type PendingReply,
  type ReplyAccepted,
  type ReplyRequest,
} from './contract.js';

export const SEEN_MESSAGE_IDS_KEPT = 2_000;

/** Why a delivery was given up, in the receiver's terms rather than Temporal's wrapper. */
export function deliveryFailureReason(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  if (cause instanceof Error && cause.name === 'TimeoutFailure') return 'DELIVERY_MAX_DURATION spent without a successful attempt';
  return cause instanceof Error ? cause.message : String(cause);
}
