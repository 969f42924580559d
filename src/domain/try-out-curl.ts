/**
 * Quotes one word for POSIX shells: single quotes keep everything literal ($, backticks,
 * backslashes, newlines); a single quote itself closes, escapes and reopens (`'\''`).
 */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export interface TryOutCurlInput {
  url: string;
  responseToken: string;
  body: unknown;
}

/** A curl command that, pasted into bash or sh, sends exactly `body` as JSON. */
export function buildTryOutCurl(input: TryOutCurlInput): string {
  return [
    `curl -sS -X POST ${shellQuote(input.url)}`,
    `-H ${shellQuote(`Authorization: Bearer ${input.responseToken}`)}`,
    `-H ${shellQuote('Content-Type: application/json')}`,
    `--data-raw ${shellQuote(JSON.stringify(input.body))}`,
  ].join(' \\\n  ');
}
