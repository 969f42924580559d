/**
 * Failure types. Part of the workflow contract (workflows/contract/): the API maps a workflow's
 * or activity's failure by its type, so the values are the contract and must not change.
 * Grouped by the message or step that can fail with them, so a caller maps exactly the group
 * of the message it sent (src/services/workflow-refusals.ts) and nothing it was never sent.
 */

/** Refusals of a chat's inbound update (an MO). */
export const InboundRefusal = {
  /**
   * The run is handing over (continue-as-new, or the contact's next chat): the gateway asks again, the next run
   * answers.
   */
  CHAT_HANDING_OVER: 'CHAT_HANDING_OVER',
  /** CHAT_MAX_PENDING undelivered events: the carrier retries later. */
  CHAT_BACKLOG: 'CHAT_BACKLOG',
} as const;
export type InboundRefusal = (typeof InboundRefusal)[keyof typeof InboundRefusal];

/** Refusals of a chat's reply update (an MT). */
export const ReplyRefusal = {
  CHAT_HANDING_OVER: InboundRefusal.CHAT_HANDING_OVER,
  /** Too many undelivered events or unsent replies: the client retries later. */
  CHAT_BACKLOG: InboundRefusal.CHAT_BACKLOG,
  CHAT_NOT_FOUND: 'CHAT_NOT_FOUND',
  UNKNOWN_SENDER: 'UNKNOWN_SENDER',
  WINDOW_CLOSED: 'WINDOW_CLOSED',
} as const;
export type ReplyRefusal = (typeof ReplyRefusal)[keyof typeof ReplyRefusal];

/** Failures of the activation and deactivation workflows and their activities. */
export const LifecycleFailure = {
  NOT_FOUND: 'NOT_FOUND',
  SENDER_IN_USE: 'SENDER_IN_USE',
  CONNECTION_NOT_FOUND: 'CONNECTION_NOT_FOUND',
  UNAVAILABLE: 'UNAVAILABLE',
} as const;
export type LifecycleFailure = (typeof LifecycleFailure)[keyof typeof LifecycleFailure];

/** Failures of one webhook attempt or carrier send (recorded on the attempt, never answered to a caller). */
export const SendFailure = {
  /** The delivery's row is not recorded. */
  NOT_FOUND: LifecycleFailure.NOT_FOUND,
  CONNECTION_NOT_FOUND: LifecycleFailure.CONNECTION_NOT_FOUND,
  INTEGRATION_GONE: 'INTEGRATION_GONE',
  TEMPLATE_ERROR: 'TEMPLATE_ERROR',
  FORBIDDEN_TARGET: 'FORBIDDEN_TARGET',
  NETWORK_ERROR: 'NETWORK_ERROR',
} as const;
export type SendFailure = (typeof SendFailure)[keyof typeof SendFailure];

/** Every `ApplicationFailure.type` thrown by workflows and activities. */
export const FailureType = { ...InboundRefusal, ...ReplyRefusal, ...LifecycleFailure, ...SendFailure } as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];

/** The failure type of an HTTP answer that was not a success (`HTTP_503`). */
export const httpStatusFailureType = (statusCode: number) => `HTTP_${statusCode}`;
