/**
 * The answers MO (inbound-routing) and MT (reply-routing) share when a chat cannot take a message
 * now: both tell the caller to come back, neither loses anything (SPEC sections 3 and 5).
 */
import { AppError, ErrorCode } from './errors.js';

/**
 * A chat at CHAT_MAX_PENDING drains one delivery at a time at its receiver's pace, and its head
 * is usually waiting for a retry (DELIVERY_RETRY_INITIAL, 5 s by default) because the receiver is
 * failing: asking again sooner than a few seconds only earns another CHAT_BACKLOG, while a much longer
 * wait would hold messages back once the receiver has recovered.
 */
export const BACKLOG_RETRY_AFTER_SECONDS = 5;

/**
 * CHAT_BACKLOG, to ask again after a few seconds: the chat holds as many undelivered events (or unsent replies) as it
 * may.
 */
export const chatBacklog = (message: string) =>
  new AppError({ code: ErrorCode.CHAT_BACKLOG, message, retryAfterSeconds: BACKLOG_RETRY_AFTER_SECONDS });

/** CHAT_UNAVAILABLE: the chat did not answer in time, or Temporal could not be reached; retrying is safe. */
export const chatUnavailable = (message: string) => new AppError({ code: ErrorCode.CHAT_UNAVAILABLE, message });
