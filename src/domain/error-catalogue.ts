/**
 * Every error code the API answers with (`{"error":{"code","message",...}}`, SPEC section 2),
 * listed once. Services, the HTTP layer and the console name codes through `ErrorCode`, so a
 * code cannot be misspelt and a new one cannot be answered before it is listed here, given a
 * status (src/http/error-statuses.ts, whose table must cover this union) and documented.
 *
 * Codes only: what a code means to HTTP (its status, its headers) is the HTTP layer's to say.
 * Workflow failure types (workflows/contract.ts) are another vocabulary: the services turn them
 * into these (src/services/workflow-refusals.ts).
 */
export const ErrorCode = {
  // ─── The request itself: its shape, its body, its route ───────────────────────────────
  /** A field breaks the published schema (`fields` lists each one by path). */
  VALIDATION_ERROR: 'VALIDATION_ERROR',
  INVALID_JSON: 'INVALID_JSON',
  REQUEST_ABORTED: 'REQUEST_ABORTED',
  /** Any other request Express or its body parser could not read. */
  BAD_REQUEST: 'BAD_REQUEST',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  /** The request a webhook template renders for the largest allowed message would exceed 256 KiB. */
  TEMPLATE_TOO_LARGE: 'TEMPLATE_TOO_LARGE',
  ROUTE_NOT_FOUND: 'ROUTE_NOT_FOUND',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',

  // ─── Who calls ────────────────────────────────────────────────────────────────────────
  UNAUTHORIZED: 'UNAUTHORIZED',
  /** A valid response token of another integration. */
  FORBIDDEN: 'FORBIDDEN',
  /** An http connection: only the operator provisions or removes one. */
  OPERATOR_ONLY: 'OPERATOR_ONLY',
  /** No CHATHOOK_ADMIN_KEY is configured. */
  ADMIN_DISABLED: 'ADMIN_DISABLED',
  RATE_LIMITED: 'RATE_LIMITED',
  /** A tenant's quota (QUOTA_* or the operator's override) is used up: `quota` names it, `limit` is its value. */
  QUOTA_EXCEEDED: 'QUOTA_EXCEEDED',
  /** The tenant already reserves this sender for this feature. */
  RESERVATION_EXISTS: 'RESERVATION_EXISTS',

  // ─── What is stored: missing ──────────────────────────────────────────────────────────
  NOT_FOUND: 'NOT_FOUND',
  /** No open chat with the contact (MT is only valid inside a chat the contact started). */
  CHAT_NOT_FOUND: 'CHAT_NOT_FOUND',

  // ─── What is stored: a state that refuses the request now ─────────────────────────────
  INTEGRATION_ACTIVE: 'INTEGRATION_ACTIVE',
  INTEGRATION_INACTIVE: 'INTEGRATION_INACTIVE',
  ACTIVATION_FAILED: 'ACTIVATION_FAILED',
  ACTIVATION_CANCELLED: 'ACTIVATION_CANCELLED',
  LINKED_TO_LIVE_CAMPAIGNS: 'LINKED_TO_LIVE_CAMPAIGNS',
  CONNECTION_CODE_TAKEN: 'CONNECTION_CODE_TAKEN',
  /** An http connection's sender that belongs to another tenant. */
  SENDER_TAKEN: 'SENDER_TAKEN',
  CONNECTION_IN_USE: 'CONNECTION_IN_USE',
  /** A sender claimed by another integration or campaign. */
  SENDER_IN_USE: 'SENDER_IN_USE',
  CAMPAIGN_NOT_LIVE: 'CAMPAIGN_NOT_LIVE',
  REPLAY_IN_PROGRESS: 'REPLAY_IN_PROGRESS',
  ROTATION_CONFLICT: 'ROTATION_CONFLICT',
  /** WhatsApp: the customer service window since the contact's last message is over. */
  WINDOW_CLOSED: 'WINDOW_CLOSED',

  // ─── What is stored: a rule no schema can express ─────────────────────────────────────
  /** An auth secret left out or masked that cannot be kept (none stored, or the URL changes origin). */
  SECRET_REQUIRED: 'SECRET_REQUIRED',
  UNKNOWN_CONNECTION: 'UNKNOWN_CONNECTION',
  UNKNOWN_SENDER: 'UNKNOWN_SENDER',
  /** Body keys that contradict each other (`a` as text and `a.b`). */
  BODY_KEY_CONFLICT: 'BODY_KEY_CONFLICT',
  /** No active integration or live campaign of the connection claims the sender written to. */
  NO_ROUTE: 'NO_ROUTE',
  INTEGRATION_HAS_CONNECTIONS: 'INTEGRATION_HAS_CONNECTIONS',
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',

  // ─── Later: nothing is lost, the caller asks again ────────────────────────────────────
  /** The chat holds as many undelivered events (or unsent replies) as it may. */
  CHAT_BACKLOG: 'CHAT_BACKLOG',
  /** The chat did not answer in time, or Temporal could not be reached. */
  CHAT_UNAVAILABLE: 'CHAT_UNAVAILABLE',
  /** A start or stop goes on in the background past the wait. */
  ACTIVATION_PENDING: 'ACTIVATION_PENDING',
  TEMPORAL_UNAVAILABLE: 'TEMPORAL_UNAVAILABLE',
  /** The database or Temporal did not answer a request that needed it. */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',

  /** A bug: answered without internals. */
  INTERNAL: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

/** For codes read back from storage (an Idempotency-Key's stored answer). */
export const isErrorCode = (value: unknown): value is ErrorCode => typeof value === 'string' && CODES.has(value);
