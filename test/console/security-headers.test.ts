/**
 * Issue 18 (safe defaults), in a real browser: the console and the API reference work under the
 * Content-Security-Policy the API sends (src/http/security-headers.ts) with not one violation,
 * the policy is really in force (an inline script injected into either page is refused), and no
 * page of another origin can frame the console. The headers themselves: test/security/security-headers.test.ts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConsoleBuilt } from '../../src/platform/embedded/console-build.js';
import { startTestApp, type TestApp } from '../support/harness.js';
import { launchChromium, type Chromium } from '../support/chromium.js';

// Browser-side snippets are passed as strings: this file compiles without the DOM library.
const RECORD_VIOLATIONS = `
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (event) => {
    window.__violations.push(event.violatedDirective + ' ' + (event.blockedURI || 'inline') + ' ' + (event.sourceFile || ''));
  });
`;

/** An inline script added to the page: refused under the policy, so the flag stays unset. */
const INJECT_INLINE_SCRIPT = `(() => {
  const script = document.createElement('script');
  script.textContent = 'window.__inlineRan = true';
  document.head.append(script);
  return new Promise((resolve) => setTimeout(() => resolve(window.__inlineRan === true), 200));
})()`;

let app: TestApp;
let apiKey: string;
let browser: Chromium;
let framer: Server;
let framerUrl: string;

/** Violations the page saw, its console lines about the policy, and its uncaught errors. */
interface Watched {
  page: Page;
  consoleLines: string[];
  violations: () => Promise<string[]>;
}

async function watchedPage(): Promise<Watched> {
  const page = await browser.context.newPage();
  page.setDefaultTimeout(20_000);
  const consoleLines: string[] = [];
  page.on('console', (message) => {
    // Not every error line (Chromium logs the 404 of /favicon.ico): those of the policy.
    if (/Refused to|Content Security Policy|Framing/i.test(message.text()))
      consoleLines.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => consoleLines.push(`pageerror: ${error.message}`));
  return { page, consoleLines, violations: () => page.evaluate<string[]>('window.__violations') };
}

beforeAll(async () => {
  await ensureConsoleBuilt((line) => process.stdout.write(`${line}\n`));
  app = await startTestApp();
  apiKey = (await app.tenant('Acme')).apiKey;
  browser = await launchChromium();
  await browser.context.addInitScript(RECORD_VIOLATIONS);
  // Another origin (its own port on loopback) whose page frames the console.
  framer = createServer((_req, res) => {
    res
      .writeHead(200, { 'content-type': 'text/html' })
      .end(`<!doctype html><title>framer</title><iframe id="target" src="${app.baseUrl}/console/"></iframe>`);
  });
  await new Promise<void>((resolve) => framer.listen(0, '127.0.0.1', () => resolve()));
  framerUrl = `http://127.0.0.1:${(framer.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await new Promise((resolve) => framer?.close(resolve));
});

describe('the console and /docs under the Content-Security-Policy', () => {
  it('the console signs in and lists integrations with no violation, and refuses an injected inline script', async () => {
    const { page, consoleLines, violations } = await watchedPage();
    const response = await page.goto(`${app.baseUrl}/console/`);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.getByLabel('API key').fill(apiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Integrations' }).waitFor();
    await page.getByText('No Custom Webhook yet').waitFor();
    await page.getByRole('link', { name: 'Create your first integration' }).click();
    await page.getByLabel('Alias').waitFor();
    expect(await violations()).toEqual([]);
    expect(consoleLines).toEqual([]);

    expect(await page.evaluate<boolean>(INJECT_INLINE_SCRIPT)).toBe(false);
    expect(await violations()).toEqual([expect.stringMatching(/^script-src-elem inline/)]);
    await page.close();
  });

  it('Swagger UI renders its operations and expands one with no violation, and refuses an injected inline script', async () => {
    const { page, consoleLines, violations } = await watchedPage();
    const response = await page.goto(`${app.baseUrl}/docs`);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.locator('.opblock').first().waitFor();
    expect(await page.locator('.opblock').count()).toBeGreaterThan(20);
    // An operation opened: its parameters, responses and schemas render too.
    await page.locator('.opblock-summary').first().click();
    await page.locator('.opblock-body').first().waitFor();
    await page.locator('.models, .responses-wrapper').first().waitFor();
    expect(await violations()).toEqual([]);
    expect(consoleLines).toEqual([]);

    expect(await page.evaluate<boolean>(INJECT_INLINE_SCRIPT)).toBe(false);
    expect(await violations()).toEqual([expect.stringMatching(/^script-src-elem inline/)]);
    await page.close();
  });

  it('a page of another origin cannot frame the console', async () => {
    const { page, consoleLines } = await watchedPage();
    // The frame's own request is answered (with frame-ancestors 'none'): wait for that answer.
    const framed = page.waitForResponse(`${app.baseUrl}/console/`);
    await page.goto(framerUrl);
    expect((await framed).status()).toBe(200);
    // Chromium's words: "Framing '<framer>' violates … "frame-ancestors 'none'". The request has been blocked."
    await expect
      .poll(() => consoleLines.join('\n'))
      .toMatch(/Framing .* violates .*frame-ancestors 'none'|Refused to (frame|display)/);
    // The frame holds Chromium's error page, not the console.
    const frame = page.frames().find((candidate) => candidate !== page.mainFrame());
    expect(frame).toBeDefined();
    expect(frame!.url()).not.toContain(app.baseUrl);
    const title = await frame!.evaluate<string>('document.title').catch(() => 'not readable');
    expect(title).not.toBe('chathook console');
    await page.close();
  });
});
