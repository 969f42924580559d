/**
 * What a suite of `npm run bench` is and what it is handed: run-all.ts runs the suites and each
 * suite module (scale-suites.ts, the latency suite) implements them, so the shape lives apart
 * from both and neither imports the other for it.
 */
import type { BenchStack } from './embedded-stack.js';
import type { FigureRow } from './load.js';

export type Flags = Record<string, string | string[] | true | undefined>;

export interface SuiteContext {
  full: boolean;
  /**
   * Every CLI flag as given (`--name value` or `--name=value` → string, a repeated flag → string[], `--name` alone →
   * true): suites read their own.
   */
  args: Flags;
  /** chathook's sustained MO/s measured by the latency suite in this run (undefined when it did not run first). */
  capacity: number | undefined;
  log(line: string): void;
  /**
   * An embedded stack with the run's environment (plus `env`); its facts go into the table's header. Stop it when done.
   */
  startStack(options?: { env?: Record<string, string>; productLimits?: boolean }): Promise<BenchStack>;
}

export interface SuiteResult {
  rows: FigureRow[];
  notes?: string[];
}

export interface BenchSuite {
  /** What --only names. */
  name: string;
  run(context: SuiteContext): Promise<SuiteResult>;
}

/** A positive number given as `--flag N`, or `fallback` when the flag is absent. */
export function numberFlag(context: SuiteContext, flag: string, fallback: number): number {
  const given = context.args[flag];
  if (given === undefined) return fallback;
  const value = Number(given);
  if (typeof given !== 'string' || !Number.isFinite(value) || value <= 0)
    throw new Error(`--${flag} needs a positive number`);
  return value;
}
