import { readFileSync } from 'node:fs';

/** The package version, for the User-Agent of every outbound request. */
export const CHATHOOK_VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
export const USER_AGENT = `chathook/${CHATHOOK_VERSION}`;
