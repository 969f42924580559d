/**
 * Issue 18 (safe defaults): every answer of the API, JSON and HTML alike, carries helmet's
 * security headers with a strict Content-Security-Policy (src/http/security-headers.ts). The
 * browser side (the console and /docs working under that policy, framing refused) is
 * test/console/security-headers.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConsoleBuilt } from '../../src/platform/embedded/console-build.js';
import { startTestApp, type TestApp } from '../support/harness.js';

/** The policy as a map of directive → sources. */
const policyOf = (header: string | null) =>
  new Map(
    (header ?? '')
      .split(';')
      .map((directive) => directive.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...sources]) => [name!, sources]),
  );

function expectSecurityHeaders(response: Response) {
  const headers = response.headers;
  const policy = policyOf(headers.get('content-security-policy'));
  expect(policy.get('default-src')).toEqual(["'self'"]);
  expect(policy.get('script-src')).toEqual(["'self'"]);
  expect(policy.get('script-src-attr')).toEqual(["'none'"]);
  expect(policy.get('style-src')).toEqual(["'self'"]);
  expect(policy.get('object-src')).toEqual(["'none'"]);
  expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
  expect(policy.get('base-uri')).toEqual(["'self'"]);
  expect(policy.get('form-action')).toEqual(["'self'"]);
  // No source anywhere allows inline code, eval or another origin.
  for (const sources of policy.values()) {
    expect(sources).not.toContain("'unsafe-inline'");
    expect(sources).not.toContain("'unsafe-eval'");
    expect(sources).not.toContain('https:');
    expect(sources).not.toContain('*');
  }
  expect(headers.get('x-frame-options')).toBe('DENY');
  expect(headers.get('x-content-type-options')).toBe('nosniff');
  expect(headers.get('referrer-policy')).toBe('no-referrer');
  expect(headers.get('cross-origin-opener-policy')).toBe('same-origin');
  expect(headers.get('cross-origin-resource-policy')).toBe('same-origin');
  expect(headers.get('x-powered-by')).toBeNull();
}

describe('security headers (PUBLIC_BASE_URL unset: plain http)', () => {
  let app: TestApp;
  beforeAll(async () => {
    await ensureConsoleBuilt();
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it.each([
    ['a 401 JSON error of /v1', '/v1/integrations', 401, /^application\/json/],
    ['/healthz', '/healthz', 200, /^application\/json/],
    ['/openapi.json', '/openapi.json', 200, /^application\/json/],
    ['a 404 of an unknown path', '/no-such-path', 404, /^application\/json/],
    ['the console HTML', '/console/', 200, /^text\/html/],
    ['a client-side route of the console', '/console/integrations', 200, /^text\/html/],
    ['the /docs HTML', '/docs', 200, /^text\/html/],
    ['the /docs init script', '/docs/init.js', 200, /^application\/javascript/],
  ])('are on %s', async (_case, path, status, contentType) => {
    const response = await fetch(`${app.baseUrl}${path}`);
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(contentType);
    expectSecurityHeaders(response);
    // HSTS only when the public address is https (the operator's TLS in front).
    expect(response.headers.get('strict-transport-security')).toBeNull();
    await response.arrayBuffer();
  });

  it('the console and /docs pages have no inline script or style the policy would refuse', async () => {
    for (const path of ['/console/', '/docs']) {
      const html = await (await fetch(`${app.baseUrl}${path}`)).text();
      // Every <script> names its source; no <style> element, no style= or on…= attribute.
      expect([...html.matchAll(/<script\b([^>]*)>/g)].every(([, attributes]) => /\bsrc=/.test(attributes!))).toBe(true);
      expect(html).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=/i);
    }
  });
});

describe('security headers with an https PUBLIC_BASE_URL', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { PUBLIC_BASE_URL: 'https://chathook.example' } });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('adds Strict-Transport-Security, and the same policy', async () => {
    const response = await fetch(`${app.baseUrl}/healthz`);
    expectSecurityHeaders(response);
    expect(response.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
  });
});
