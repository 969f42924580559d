import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/domain/error-catalogue.js';
import { ERROR_STATUS } from '../../../src/http/error-statuses.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

function sourcesUnder(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(folder, file));
}

describe('error catalogue and status table', () => {
  it('gives every code one error status, and no status to a code the catalogue lacks', () => {
    expect(Object.keys(ERROR_STATUS).sort()).toEqual(Object.values(ErrorCode).sort());
    for (const [code, status] of Object.entries(ERROR_STATUS)) expect(status >= 400 && status < 600, code).toBe(true);
  });

  // The lint rule (eslint.config.js) refuses the same; this also catches a call eslint is not run on.
  it('has no error built with a status outside the table', () => {
    const offenders = ['src', 'activities', 'workflows']
      .flatMap(sourcesUnder)
      .filter((file) => !file.endsWith('error-statuses.ts'))
      .filter((file) =>
        /new AppError\(\s*\d|new AppError\(\{[^}]*\b(status|statusCode|httpStatus)\s*:/.test(
          readFileSync(join(ROOT, file), 'utf8'),
        ),
      );
    expect(offenders).toEqual([]);
  });
});
