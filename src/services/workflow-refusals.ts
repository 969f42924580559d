/**
 * What a workflow refused on purpose (an ApplicationFailure whose type is a contract failure
 * type), as the error the API answers with: the one place workflow vocabulary becomes error codes.
 * Each message a workflow answers lists the refusals it may throw; a type it does not list means
 * the contract was not kept (another version, a bug), which the caller answers as unavailable,
 * so the client retries instead of being told something the chat never decided.
 */
import type { WorkflowRejection } from '../temporal/gateway.js';
import { InboundRefusal, LifecycleFailure, ReplyRefusal } from '../../workflows/contract/failures.js';
import { chatBacklog } from './chat-refusals.js';
import { AppError, ErrorCode, notFound } from './errors.js';

/** The workflow messages services send: an MO to its chat, an MT to its chat, a start or stop of an integration. */
export type RefusingMessage = 'inbound' | 'reply' | 'lifecycle';

type ErrorOfRejection = (rejection: WorkflowRejection) => AppError;

/** The chat's own word, kept: it says which rule refused (closed, other channel, window over). */
const chatRefusal =
  (code: ErrorCode): ErrorOfRejection =>
  ({ message }) =>
    new AppError({ code, message });

const backlog: ErrorOfRejection = ({ message }) => chatBacklog(message);

// Keyed by each message's own refusal group, so a refusal its workflow cannot throw does not compile.
const REFUSALS: { [M in RefusingMessage]: Partial<Record<string, ErrorOfRejection>> } = {
  // A run handing over is asked again by the gateway; a full chat is the only other refusal.
  inbound: { [InboundRefusal.CHAT_BACKLOG]: backlog } satisfies Partial<Record<InboundRefusal, ErrorOfRejection>>,
  reply: {
    [ReplyRefusal.CHAT_BACKLOG]: backlog,
    [ReplyRefusal.CHAT_NOT_FOUND]: chatRefusal(ErrorCode.CHAT_NOT_FOUND),
    [ReplyRefusal.WINDOW_CLOSED]: chatRefusal(ErrorCode.WINDOW_CLOSED),
    [ReplyRefusal.UNKNOWN_SENDER]: chatRefusal(ErrorCode.UNKNOWN_SENDER),
  } satisfies Partial<Record<ReplyRefusal, ErrorOfRejection>>,
  lifecycle: { [LifecycleFailure.NOT_FOUND]: () => notFound('Integration') } satisfies Partial<
    Record<LifecycleFailure, ErrorOfRejection>
  >,
};

/** The error `message`'s refusal answers with; one it does not list is `unlisted()`'s to answer. */
export function errorOfRefusal(
  message: RefusingMessage,
  rejection: WorkflowRejection,
  unlisted: () => AppError,
): AppError {
  const refusals = REFUSALS[message];
  // Own keys only: a type such as `constructor` is no refusal of any message's.
  const errorOf = Object.hasOwn(refusals, rejection.type) ? refusals[rejection.type] : undefined;
  return errorOf?.(rejection) ?? unlisted();
}
