/**
 * What a workflow refused on purpose (an ApplicationFailure whose type is a contract failure
 * type), as the error the API answers with: the one place workflow vocabulary becomes error codes.
 * Each message a workflow answers lists the refusals it may throw; a type it does not list means
 * the contract was not kept (another version, a bug), which the caller answers as unavailable,
 * so the client retries instead of being told something the chat never decided.
 */
import type { WorkflowRejection } from '../temporal/gateway.js';
import { FailureType } from '../../workflows/contract.js';
import { chatBacklog } from './chat-refusals.js';
import { AppError, ErrorCode, notFound } from './errors.js';

/** The workflow messages services send: an MO to its chat, an MT to its chat, a start or stop of an integration. */
export type RefusingMessage = 'inbound' | 'reply' | 'lifecycle';

type ErrorOfRejection = (rejection: WorkflowRejection) => AppError;

/** LINKED_TO_LIVE_CAMPAIGNS, naming the campaigns (the activation service also checks this before a stop). */
export const linkedToLiveCampaigns = (campaigns: unknown[]) =>
  new AppError({ code: ErrorCode.LINKED_TO_LIVE_CAMPAIGNS, message: 'Pause the linked live campaigns before stopping', details: { campaigns } });

/** The chat's own word, kept: it says which rule refused (closed, other channel, window over). */
const chatRefusal =
  (code: ErrorCode): ErrorOfRejection =>
  ({ message }) =>
    new AppError({ code, message });

const backlog: ErrorOfRejection = ({ message }) => chatBacklog(message);

const REFUSALS: Record<RefusingMessage, ReadonlyMap<string, ErrorOfRejection>> = {
  // A run handing over is asked again by the gateway; a full chat is the only other refusal.
  inbound: new Map([[FailureType.CHAT_BACKLOG, backlog]]),
  reply: new Map([
    [FailureType.CHAT_BACKLOG, backlog],
    [FailureType.CHAT_NOT_FOUND, chatRefusal(ErrorCode.CHAT_NOT_FOUND)],
    [FailureType.WINDOW_CLOSED, chatRefusal(ErrorCode.WINDOW_CLOSED)],
    [FailureType.UNKNOWN_SENDER, chatRefusal(ErrorCode.UNKNOWN_SENDER)],
  ]),
  lifecycle: new Map<string, ErrorOfRejection>([
    [FailureType.NOT_FOUND, () => notFound('Integration')],
    [FailureType.LINKED_TO_LIVE_CAMPAIGNS, ({ details }) => linkedToLiveCampaigns((details[0] as unknown[] | undefined) ?? [])],
  ]),
};

/** The error `message`'s refusal answers with; one it does not list is `unlisted()`'s to answer. */
export function errorOfRefusal(message: RefusingMessage, rejection: WorkflowRejection, unlisted: () => AppError): AppError {
  return REFUSALS[message].get(rejection.type)?.(rejection) ?? unlisted();
}
