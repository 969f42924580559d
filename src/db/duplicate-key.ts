/** MongoDB's (and FerretDB's) answer to an insert that a unique index refuses. */
export const isDuplicateKeyError = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;
