/** QUOTA_EXCEEDED as each create that a quota bounds declares it (the OpenAPI document lists it there). */
import { ErrorCode } from '../domain/error-catalogue.js';
import { QuotaExceededSchema } from './response-schemas.js';
import { errorReply, type ErrorReply } from './route.js';

export const quotaExceeded = (quotas: string): ErrorReply =>
  errorReply(
    ErrorCode.QUOTA_EXCEEDED,
    `the tenant's ${quotas} quota (QUOTA_* or the operator's override) is used up; \`quota\` names it, \`limit\` is its value`,
    QuotaExceededSchema,
  );
