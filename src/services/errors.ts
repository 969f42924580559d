/**
 * The errors the API answers with: a code from the catalogue (src/domain/error-catalogue.ts), a
 * message and details, nothing about HTTP. The one error middleware gives each code its status
 * from the one table (src/http/error-statuses.ts), so a rule is written here once and its status
 * there once. Details are extra top-level members of the `error` object (SPEC section 2).
 */
import { ErrorCode } from '../domain/error-catalogue.js';

export { ErrorCode };

export interface AppErrorOptions {
  code: ErrorCode;
  message: string;
  /** Members of the `error` object beside `code` and `message` (`fields`, `senders`, …). */
  details?: Record<string, unknown>;
  /** Members placed beside `error` in the response body (e.g. activation's `status`, `connections`). */
  siblings?: Record<string, unknown>;
  /** When asking again makes sense: the answer carries it as `Retry-After`. */
  retryAfterSeconds?: number;
}

export class AppError extends Error {
  override name = 'AppError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;
  readonly siblings: Record<string, unknown>;
  readonly retryAfterSeconds: number | undefined;

  constructor(options: AppErrorOptions) {
    super(options.message);
    this.code = options.code;
    this.details = options.details ?? {};
    this.siblings = options.siblings ?? {};
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export interface FieldProblem {
  path: string;
  message: string;
}

export const validationError = (problems: FieldProblem[]) =>
  new AppError({
    code: ErrorCode.VALIDATION_ERROR,
    message:
      problems.length === 1
        ? `${problems[0]!.path || 'body'}: ${problems[0]!.message}`
        : `${problems.length} fields are invalid`,
    details: { fields: problems },
  });

/**
 * Fields that pass the published schema but break a rule no schema can express (SPEC section 2):
 * named like validation errors, so an editor can point at them.
 */
export const fieldRuleError = (code: ErrorCode, problems: FieldProblem[]) =>
  new AppError({
    code,
    message:
      problems.length === 1
        ? `${problems[0]!.path}: ${problems[0]!.message}`
        : `${problems.length} fields break a rule`,
    details: { fields: problems },
  });

export const notFound = (what: string) => new AppError({ code: ErrorCode.NOT_FOUND, message: `${what} not found` });
export const unauthorized = (message = 'Missing or unknown API key') =>
  new AppError({ code: ErrorCode.UNAUTHORIZED, message });
