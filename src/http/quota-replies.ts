/**
 * QUOTA_EXCEEDED as each create that a quota bounds declares it (the OpenAPI document lists it there). It shares 409
 * with the operation's other conflicts, so its body is the common error body; `quota` and `limit` are its extra members.
 */
import { ErrorCode } from '../domain/error-catalogue.js';
import { errorReply, type ErrorReply } from './route.js';

export const quotaExceeded = (quotas: string): ErrorReply =>
  errorReply(
    ErrorCode.QUOTA_EXCEEDED,
    `the tenant's ${quotas} quota (QUOTA_* or the operator's override) is used up; \`error.quota\` names it, \`error.limit\` is its value`,
  );
