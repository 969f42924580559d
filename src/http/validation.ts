import type { z } from 'zod';
import { validationError, type FieldProblem } from '../services/errors.js';

export const problemsOf = (error: z.ZodError, prefix: readonly PropertyKey[] = []): FieldProblem[] =>
  error.issues.map((issue) => ({
    path: [...prefix, ...issue.path].map(String).join('.'),
    message: issue.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}` : issue.message,
  }));

/** Parses untrusted input; a failure is a 400 VALIDATION_ERROR listing each bad field. */
export function parseInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  prefix: readonly PropertyKey[] = [],
): z.infer<S> {
  const parsed = schema.safeParse(input ?? {});
  if (!parsed.success) throw validationError(problemsOf(parsed.error, prefix));
  return parsed.data;
}
