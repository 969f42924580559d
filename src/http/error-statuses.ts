/**
 * The HTTP status of every error code: the one place a code meets a status. The error
 * middleware answers with it, the OpenAPI document files each declared error under it
 * (route.ts), and the response webhook's documented statuses (API Details) are read from it.
 *
 * The convention (SPEC section 2, schemathesis.toml): `400` means the request breaks the
 * published schema; a rule that depends on what is stored, which no schema can state, is a
 * `422` (or `404`/`409` when it is about a missing thing or a state).
 */
import { ErrorCode } from '../domain/error-catalogue.js';

export const ERROR_STATUS: Readonly<Record<ErrorCode, number>> = {
  [ErrorCode.VALIDATION_ERROR]: 400,
  [ErrorCode.INVALID_JSON]: 400,
  [ErrorCode.REQUEST_ABORTED]: 400,
  // Express and body-parser errors that carry their own 4xx keep it (error-middleware.ts).
  [ErrorCode.BAD_REQUEST]: 400,
  // SPEC section 2 names it a 400 although no schema can state it.
  [ErrorCode.TEMPLATE_TOO_LARGE]: 400,
  [ErrorCode.PAYLOAD_TOO_LARGE]: 413,
  [ErrorCode.UNSUPPORTED_MEDIA_TYPE]: 415,
  [ErrorCode.ROUTE_NOT_FOUND]: 404,
  [ErrorCode.METHOD_NOT_ALLOWED]: 405,

  [ErrorCode.UNAUTHORIZED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.OPERATOR_ONLY]: 403,
  [ErrorCode.ADMIN_DISABLED]: 403,
  [ErrorCode.RATE_LIMITED]: 429,

  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.CHAT_NOT_FOUND]: 404,

  [ErrorCode.INTEGRATION_ACTIVE]: 409,
  [ErrorCode.INTEGRATION_INACTIVE]: 409,
  [ErrorCode.ACTIVATION_FAILED]: 409,
  [ErrorCode.ACTIVATION_CANCELLED]: 409,
  [ErrorCode.LINKED_TO_LIVE_CAMPAIGNS]: 409,
  [ErrorCode.CONNECTION_CODE_TAKEN]: 409,
  [ErrorCode.SENDER_TAKEN]: 409,
  [ErrorCode.CONNECTION_IN_USE]: 409,
  [ErrorCode.SENDER_IN_USE]: 409,
  [ErrorCode.CAMPAIGN_NOT_LIVE]: 409,
  [ErrorCode.REPLAY_IN_PROGRESS]: 409,
  [ErrorCode.ROTATION_CONFLICT]: 409,
  [ErrorCode.QUOTA_EXCEEDED]: 409,
  [ErrorCode.RESERVATION_EXISTS]: 409,
  [ErrorCode.WINDOW_CLOSED]: 409,

  // Whether a secret may be left out depends on what is stored (and on the URL's origin): a
  // schema-valid PUT meets it, so it is a 422 like every such rule, not a 400.
  [ErrorCode.SECRET_REQUIRED]: 422,
  [ErrorCode.UNKNOWN_CONNECTION]: 422,
  [ErrorCode.UNKNOWN_SENDER]: 422,
  [ErrorCode.BODY_KEY_CONFLICT]: 422,
  [ErrorCode.NO_ROUTE]: 422,
  [ErrorCode.INTEGRATION_HAS_CONNECTIONS]: 422,
  [ErrorCode.IDEMPOTENCY_KEY_REUSED]: 422,

  [ErrorCode.CHAT_BACKLOG]: 429,
  [ErrorCode.CHAT_UNAVAILABLE]: 503,
  [ErrorCode.ACTIVATION_PENDING]: 503,
  [ErrorCode.TEMPORAL_UNAVAILABLE]: 503,
  [ErrorCode.SERVICE_UNAVAILABLE]: 503,

  [ErrorCode.INTERNAL]: 500,
};

/** The status an error code is answered with. */
export const statusOf = (code: ErrorCode): number => ERROR_STATUS[code];

/**
 * Headers documented on a status when one of its errors carries them (the error middleware sets
 * `Retry-After` from the error's `retryAfterSeconds`).
 */
export const ERROR_HEADERS: Readonly<Partial<Record<ErrorCode, Record<string, string>>>> = {
  [ErrorCode.CHAT_BACKLOG]: { 'Retry-After': 'seconds to wait before retrying' },
  [ErrorCode.RATE_LIMITED]: { 'Retry-After': 'seconds to wait before calling again' },
};
