/**
 * The chat's messages and data now live in ./contract.ts (and its rules in ./chat-session.ts);
 * this module keeps the names it used to export, for the callers that still import them here.
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

export { SEEN_MESSAGE_IDS_KEPT } from './legacy/chat-session.js';
export { deliveryFailureReason } from './delivery-failure.js';
