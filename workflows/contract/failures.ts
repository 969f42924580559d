/**
 * Failure types. Part of the workflow contract (workflows/contract/): the API maps a workflow's
 * or activity's failure by its type, so the values are the contract and must not change.
 */

/** `ApplicationFailure.type`s thrown by workflows and activities; callers map them by these. */
export const FailureType = {
  /**
   * Chat update validators. CHAT_HANDING_OVER: the run is handing over (continue-as-new, or the
   * contact's next chat) and takes nothing more; the gateway asks again, and the next run answers.
   */
  CHAT_HANDING_OVER: 'CHAT_HANDING_OVER',
  /** CHAT_MAX_PENDING undelivered events (or too many unsent replies): the caller retries later. */
  CHAT_BACKLOG: 'CHAT_BACKLOG',
  CHAT_NOT_FOUND: 'CHAT_NOT_FOUND',
  UNKNOWN_SENDER: 'UNKNOWN_SENDER',
  WINDOW_CLOSED: 'WINDOW_CLOSED',
  /** Integration lifecycle. */
  NOT_FOUND: 'NOT_FOUND',
  LINKED_TO_LIVE_CAMPAIGNS: 'LINKED_TO_LIVE_CAMPAIGNS',
  SENDER_IN_USE: 'SENDER_IN_USE',
  CONNECTION_NOT_FOUND: 'CONNECTION_NOT_FOUND',
  UNAVAILABLE: 'UNAVAILABLE',
  /** Webhook deliveries and carrier sends. */
  INTEGRATION_GONE: 'INTEGRATION_GONE',
  TEMPLATE_ERROR: 'TEMPLATE_ERROR',
  FORBIDDEN_TARGET: 'FORBIDDEN_TARGET',
  NETWORK_ERROR: 'NETWORK_ERROR',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];

/** The failure type of an HTTP answer that was not a success (`HTTP_503`). */
export const httpStatusFailureType = (statusCode: number) => `HTTP_${statusCode}`;
