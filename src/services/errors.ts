/**
 * Every error the API answers with has a stable `code`; the one error middleware maps it to HTTP.
 * Details are extra top-level members of the `error` object (SPEC section 2).
 */
export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    /** Members placed beside `error` in the response body (e.g. activation's `status`, `connections`). */
    readonly siblings: Record<string, unknown> = {},
    /** Response headers the answer carries (a 429's `Retry-After`). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface FieldProblem {
  path: string;
  message: string;
}

export const validationError = (problems: FieldProblem[]) =>
  new AppError(
    400,
    'VALIDATION_ERROR',
    problems.length === 1 ? `${problems[0]!.path || 'body'}: ${problems[0]!.message}` : `${problems.length} fields are invalid`,
    { fields: problems },
  );

/** Fields that pass the published schema but break a rule no schema can express (SPEC section 2: `422`). */
export const unprocessableFields = (code: string, problems: FieldProblem[]) =>
  new AppError(422, code, problems.length === 1 ? `${problems[0]!.path}: ${problems[0]!.message}` : `${problems.length} fields break a rule`, { fields: problems });

export const notFound = (what: string) => new AppError(404, 'NOT_FOUND', `${what} not found`);
export const unauthorized = (message = 'Missing or unknown API key') => new AppError(401, 'UNAUTHORIZED', message);
export const conflict = (code: string, message: string, details: Record<string, unknown> = {}) =>
  new AppError(409, code, message, details);
