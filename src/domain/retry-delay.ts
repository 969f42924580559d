/**
 * Delay before the next delivery attempt: exponential from `initialMs`, doubling per attempt,
 * with "equal jitter" (half fixed, half random) so retries of many chats spread out. A
 * `Retry-After` from the receiver replaces it. Either way the delay stays within
 * [`initialMs`, `maxMs`]: a receiver's "retry now" (`Retry-After: 0`, a date in the past) is a
 * retry after the minimum, never a zero delay (which Temporal does not treat as a retry).
 */
export function nextRetryDelayMs(options: {
  attempt: number;
  initialMs: number;
  maxMs: number;
  retryAfterMs?: number | undefined;
  random?: () => number;
}): number {
  const clamp = (ms: number) => Math.min(Math.max(ms, options.initialMs), options.maxMs);
  if (options.retryAfterMs !== undefined) return clamp(options.retryAfterMs);
  const exponential = Math.min(options.maxMs, options.initialMs * 2 ** Math.max(0, options.attempt - 1));
  const random = options.random ?? Math.random;
  return clamp(Math.round(exponential / 2 + random() * (exponential / 2)));
}

/** `Retry-After` as delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfterMs(header: string | string[] | undefined, nowMs: number): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** Statuses worth another attempt; every other 4xx is the receiver's final word. */
export const isRetryableStatus = (status: number) =>
  status === 408 || status === 425 || status === 429 || status >= 500;
