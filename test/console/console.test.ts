/**
 * The web console in a real browser (Debian's chromium driven by playwright-core) against the
 * real API, worker, Temporal and database. The tests run in order on one page: each continues
 * where the previous one left off, as a user would.
 */
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConsoleBuilt } from '../../src/platform/embedded/console-build.js';
import {
  apiClient,
  startTestApp,
  type ApiClient,
  type ProvisionedConnection,
  type TestApp,
} from '../support/harness.js';
import { carrierOf, createConnection, createIntegration, uniqueSender } from '../support/fixtures.js';
import { startHttpPeer, type HttpPeer } from '../support/http-peer.js';
import { launchChromium, type Chromium } from '../support/chromium.js';

// Browser-side snippets are passed as strings: this file compiles without the DOM library.
const SHOTS = join(process.cwd(), 'test-results', 'console');
const CONTACT = '5491100000042';

let app: TestApp;
let acme: ApiClient;
let apiKey: string;
let tenantId: string;
let receiver: HttpPeer;
let openConnection: ProvisionedConnection;
let context: BrowserContext;
let page: Page;
let browser: Chromium;
const reservedSender = uniqueSender();
const openSender = uniqueSender();

const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

/** Rows and buttons of the page that the snackbar covers (the page scrolled to the top). */
const coveredBySnackbar = async () => {
  await page.evaluate('window.scrollTo(0, 0)');
  return page.evaluate<string[]>(`(() => {
    const bar = document.querySelector('.snackbar').getBoundingClientRect();
    return [...document.querySelectorAll('main tr, main button')]
      .filter((element) => {
        const box = element.getBoundingClientRect();
        return box.left < bar.right && bar.left < box.right && box.top < bar.bottom && bar.top < box.bottom;
      })
      .map((element) => element.textContent);
  })()`);
};

/** Cards whose URL line breaks between the method and the start of the URL. */
const cardsWithMethodAlone = () =>
  page.evaluate<string[]>(`[...document.querySelectorAll('.integration-card .method')]
    .filter((method) => Math.abs(method.getBoundingClientRect().top - method.parentElement.querySelector('.url').getClientRects()[0].top) > 2)
    .map((method) => method.parentElement.textContent)`);

const logRows = () => page.locator('table.log tbody tr');

/** The row of one connection on the Connections page (by its code cell, not by any text in it). */
const connectionRow = (code: string) =>
  page.getByRole('row').filter({ has: page.getByRole('cell', { name: code, exact: true }) });

beforeAll(async () => {
  // The same helper `npm start` uses: a fresh clone gets its console built here.
  await ensureConsoleBuilt((line) => process.stdout.write(`${line}\n`));
  mkdirSync(SHOTS, { recursive: true });
  app = await startTestApp({
    worker: true,
    env: { DELIVERY_RETRY_INITIAL: '200ms', DELIVERY_RETRY_MAX_INTERVAL: '1s' },
  });
  const tenant = await app.tenant('Acme');
  acme = tenant.client;
  apiKey = tenant.apiKey;
  tenantId = tenant.id;
  receiver = await startHttpPeer();

  // The sender of RESERVED already serves an auto-reply: activating that connection must fail.
  await createConnection(acme, 'RESERVED', [reservedSender]);
  expect(
    (
      await acme.post('/v1/reservations', {
        channel: 'SMS',
        sender: reservedSender,
        feature: 'AUTO_REPLY',
        label: 'Welcome reply',
      })
    ).status,
  ).toBe(201);
  openConnection = await createConnection(acme, 'OPEN', [openSender]);

  browser = await launchChromium();
  context = browser.context;
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.baseUrl });
  page = await context.newPage();
  page.setDefaultTimeout(20_000);
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await receiver?.close();
});

describe('web console', () => {
  it('signs in with the tenant API key and rejects a bad one', async () => {
    await page.goto(`${app.baseUrl}/console/`);
    await page.getByLabel('API key').fill('not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('This API key is not valid');
    await shot('01-sign-in-bad-key');

    await page.getByLabel('API key').fill(apiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Integrations' }).waitFor();
    await page.getByText('No Custom Webhook yet').waitFor();
    expect(await page.evaluate<string | null>("sessionStorage.getItem('chathook.apiKey')")).toBe(apiKey);
    await shot('02-integrations-empty');
  });

  it('creates an integration with params, Basic auth, a custom header and a nested body field', async () => {
    await page.getByRole('link', { name: 'Create your first integration' }).click();
    await page.getByLabel('Alias').fill('Support desk');
    await page.getByLabel('URL', { exact: true }).fill('not a url');

    await page.getByRole('tab', { name: 'Params' }).click();
    await page.getByRole('button', { name: 'Add Field' }).click();
    await page.getByLabel('Params row 1 key').fill('source');
    await page.getByLabel('Params row 1 value').fill('chathook');

    await page.getByRole('tab', { name: 'Auth' }).click();
    await page.getByLabel('Type', { exact: true }).selectOption('BASIC');
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill('s3cret-pass');

    await page.getByRole('tab', { name: 'Headers' }).click();
    await page.getByRole('button', { name: 'Add Field' }).click();
    await page.getByLabel('Headers row 1 key').fill('X-Team');
    await page.getByLabel('Headers row 1 value').fill('support');

    await page.getByRole('tab', { name: 'Body' }).click();
    // The default body rows are there from the start.
    await expect.poll(() => page.getByLabel('Body row 6 key').inputValue()).toBe('multimedia.caption');
    await page.getByRole('button', { name: 'Add Field' }).click();
    await page.getByLabel('Body row 7 key').fill('meta.channel');
    await page.getByLabel('Body row 7 type').selectOption('VARIABLE');
    await page.getByLabel('Body row 7 value').selectOption('{{channel}}');

    await page.getByLabel('Available Connections').selectOption({ label: 'SMS - RESERVED' });
    await page.getByRole('button', { name: 'Add +' }).click();
    await page.getByLabel('Available Connections').selectOption({ label: 'SMS - OPEN' });
    await page.getByRole('button', { name: 'Add +' }).click();
    await page.getByText('do not add any connections to the Custom Webhook').waitFor();

    // The server's validation error appears next to the field it names.
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('#url-error').waitFor();
    expect(await page.locator('#url-error').textContent()).toContain('absolute http(s) URL');
    await shot('03-editor-validation-error');

    await page.getByLabel('URL', { exact: true }).fill(`${receiver.url}/hook`);
    await expect.poll(() => page.getByTestId('preview').textContent()).toContain('"channel": "SMS"');
    const preview = (await page.getByTestId('preview').textContent()) ?? '';
    expect(preview).toContain(`POST ${receiver.url}/hook?source=chathook`);
    expect(preview).toContain('X-Team: support');
    expect(preview).not.toContain('s3cret-pass');
    await shot('04-editor-filled-with-preview');

    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Integration created' }).waitFor();
    expect(await page.getByLabel('Signing secret').textContent()).toMatch(/^whsec_/);
    await page.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('heading', { name: 'Support desk' }).waitFor();

    const stored = (await acme.get('/v1/integrations')).body.items[0];
    expect(stored).toMatchObject({
      alias: 'Support desk',
      params: [{ key: 'source', type: 'TEXT', value: 'chathook' }],
      auth: { type: 'BASIC', username: 'alice', password: '********' },
      headers: [{ key: 'X-Team', type: 'TEXT', value: 'support' }],
      connections: [{ code: 'RESERVED' }, { code: 'OPEN' }],
    });
    expect(stored.body).toContainEqual({ key: 'meta.channel', type: 'VARIABLE', value: '{{channel}}' });
  });

  it('starts with a reserved sender: snackbar, then Connections Details names the reason', async () => {
    await page.getByRole('button', { name: 'Start Support desk' }).click();
    const snackbar = page.locator('.snackbar');
    await expect.poll(() => snackbar.textContent()).toContain('Not all connections were activated');
    await page.getByRole('button', { name: 'Stop Support desk' }).waitFor();
    await shot('05-partial-activation-snackbar');

    await snackbar.getByRole('button', { name: 'Connections Details' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('tab', { name: 'Connections Details', selected: true }).waitFor();
    const reserved = dialog.getByRole('row').filter({ hasText: 'RESERVED' });
    await expect.poll(() => reserved.textContent()).toContain('FAILED');
    expect(await reserved.textContent()).toContain('SENDER_IN_USE');
    expect(await reserved.textContent()).toContain(reservedSender);
    expect(await dialog.getByRole('row').filter({ hasText: 'OPEN' }).textContent()).toContain('ACTIVE');
    await shot('06-connections-details');
  });

  it('Try Out builds a cURL that posts a reply into a chat the contact opened', async () => {
    const carrier = carrierOf(app.baseUrl, openConnection);
    const inbound = await carrier.post('/carriers/OPEN/inbound', {
      messageId: 'console-m1',
      from: CONTACT,
      to: openSender,
      text: 'hola',
    });
    expect(inbound.status).toBe(202);
    const [delivered] = await receiver.waitFor(1);
    expect(delivered!.url).toBe('/hook?source=chathook');
    expect(delivered!.headers.authorization).toBe(`Basic ${Buffer.from('alice:s3cret-pass').toString('base64')}`);
    expect(delivered!.headers['x-team']).toBe('support');
    expect(JSON.parse(delivered!.body)).toMatchObject({ contact: CONTACT, text: 'hola', meta: { channel: 'SMS' } });

    const dialog = page.getByRole('dialog');
    await dialog.getByRole('tab', { name: 'API Details' }).click();
    await dialog.getByRole('tab', { name: 'Try Out' }).click();
    await dialog.getByLabel('Contact', { exact: true }).fill(CONTACT);
    await dialog.getByLabel('Connection', { exact: true }).selectOption('OPEN');
    await dialog.getByLabel('Message').fill('Your order ships today');
    const curlBox = dialog.getByTestId('curl');
    await expect.poll(() => curlBox.textContent()).toContain('Your order ships today');
    await dialog.getByRole('button', { name: 'Copy' }).click();
    await dialog.getByRole('button', { name: 'Copied' }).waitFor();
    const curl = (await curlBox.textContent()) ?? '';
    expect(curl).toContain(`/chats/${CONTACT}/events`);
    await shot('07-try-out-curl');

    // The API runs in this process: the command must run asynchronously, not block the loop.
    const { stdout } = await promisify(execFile)('bash', ['-c', `${curl} -s -o /dev/null -w '%{http_code}'`]);
    expect(stdout.trim()).toBe('202');
    await expect
      .poll(
        async () =>
          (await acme.get('/v1/sandbox/messages')).body.items.map((message: { text: string }) => message.text),
        { timeout: 20_000 },
      )
      .toContain('Your order ships today');
    await dialog.getByRole('button', { name: 'Close' }).click();
  });

  it('rotates the response token from API Details: the new one is shown once, the old one stops working', async () => {
    await page.getByRole('button', { name: 'Details of Support desk' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('tab', { name: 'API Details' }).click();
    const integrationId = (await acme.get('/v1/integrations')).body.items[0].id as string;
    const bearer = async () =>
      (await acme.get(`/v1/integrations/${integrationId}/api-details`)).body.headers[0].value as string;
    const oldToken = (await bearer()).replace('Bearer ', '');

    await dialog.getByRole('button', { name: 'Rotate Token' }).click();
    // It asks first: the current token stops working at once.
    await dialog.getByText('The current token stops working at once').waitFor();
    await dialog.getByRole('button', { name: 'Rotate now' }).click();
    const shown = dialog.getByLabel('New response token');
    await shown.waitFor();
    const newToken = (await shown.textContent()) ?? '';
    expect(newToken).toMatch(/^crt_/);
    expect(newToken).not.toBe(oldToken);
    expect(await bearer()).toBe(`Bearer ${newToken}`);
    // The headers table shows the new token too.
    await expect
      .poll(() => dialog.getByRole('row').filter({ hasText: 'Authorization' }).textContent())
      .toContain(newToken);
    await shot('08-rotated-token');

    const path = `/integrations/live-chat/${integrationId}/chats/${CONTACT}/events`;
    const reply = {
      type: 'MESSAGE',
      channel: { type: 'SMS', route: openSender, connection: 'OPEN' },
      msg: 'after rotation',
    };
    expect((await apiClient(app.baseUrl, oldToken).post(path, reply)).status).toBe(401);
    expect((await apiClient(app.baseUrl, newToken).post(path, reply)).status).toBe(202);

    // Shown once: reopening the panel shows no new token.
    await dialog.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('button', { name: 'Details of Support desk' }).click();
    await dialog.getByRole('tab', { name: 'API Details' }).click();
    await dialog.getByRole('button', { name: 'Rotate Token' }).waitFor();
    expect(await dialog.getByLabel('New response token').count()).toBe(0);
    await dialog.getByRole('button', { name: 'Close' }).click();
  });

  it('rotates the signing secret from API Details: it asks first, then shows the new secret once with a Copy button', async () => {
    await page.getByRole('button', { name: 'Details of Support desk' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('tab', { name: 'API Details' }).click();
    const integrationId = (await acme.get('/v1/integrations')).body.items[0].id as string;
    const signingSecret = async () => {
      const stored = await app.models.Integration.findById(integrationId).lean();
      return app.runtime.secretBox.open(stored!.signingSecretSealed);
    };
    const before = await signingSecret();

    await dialog.getByRole('button', { name: 'Rotate Signing Secret' }).click();
    await dialog.getByText('deliveries carry a signature with the current secret and one with the new one').waitFor();
    await dialog.getByRole('button', { name: 'Rotate now' }).click();
    const shown = dialog.getByLabel('New signing secret');
    await shown.waitFor();
    const secret = (await shown.textContent()) ?? '';
    expect(secret).toMatch(/^whsec_/);
    expect(secret).not.toBe(before);
    expect(await signingSecret()).toBe(secret);
    await dialog.getByRole('button', { name: 'Copy' }).click();
    await dialog.getByRole('button', { name: 'Copied' }).waitFor();
    await shot('08b-rotated-signing-secret');

    // Shown once: reopening the panel shows it no more.
    await dialog.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('button', { name: 'Details of Support desk' }).click();
    await dialog.getByRole('tab', { name: 'API Details' }).click();
    await dialog.getByRole('button', { name: 'Rotate Signing Secret' }).waitFor();
    expect(await dialog.getByLabel('New signing secret').count()).toBe(0);
    await dialog.getByRole('button', { name: 'Close' }).click();
  });

  it('shows the delivery in Deliveries and replays it', async () => {
    await page.getByRole('button', { name: 'Deliveries of Support desk' }).click();
    const row = page.getByRole('row').filter({ hasText: CONTACT });
    await expect.poll(() => row.textContent()).toContain('SUCCEEDED');
    expect(await row.textContent()).toContain('MESSAGE');
    expect(await row.textContent()).toMatch(/200 · \d+ ms/);
    const firstId = receiver.received[0]!.headers['webhook-id'];

    await row.getByRole('button', { name: /Replay delivery/ }).click();
    await expect.poll(() => page.locator('.snackbar').textContent()).toContain('is being sent again');
    // The message sits above the list, not over it.
    expect(await coveredBySnackbar()).toEqual([]);
    const [, replayed] = await receiver.waitFor(2);
    expect(replayed!.headers['webhook-id']).toBe(firstId);
    // The replayed attempt is recorded just after the receiver answers: refresh until it shows.
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Refresh' }).click();
          return row.locator('.attempts li').count();
        },
        { timeout: 15_000, interval: 250 },
      )
      .toBe(2);
    expect(await row.textContent()).toContain('SUCCEEDED');
    await shot('09-deliveries-replayed');

    await page.getByRole('link', { name: 'Chats' }).click();
    const chat = page.getByRole('row').filter({ hasText: CONTACT });
    await expect.poll(() => chat.textContent()).toContain('OPEN');
    await shot('10-chats');
  });

  it('pages Deliveries and Chats with Load more', async () => {
    // Ten more contacts write in: eleven deliveries and eleven chats in all.
    const carrier = carrierOf(app.baseUrl, openConnection);
    for (let index = 0; index < 10; index += 1) {
      const from = `5491100005${String(index).padStart(3, '0')}`;
      expect(
        (
          await carrier.post('/carriers/OPEN/inbound', {
            messageId: `console-page-${index}`,
            from,
            to: openSender,
            text: `page ${index}`,
          })
        ).status,
      ).toBe(202);
    }
    const integrationId = (await acme.get('/v1/integrations')).body.items[0].id as string;
    const countOf = async (list: string) =>
      (await acme.get(`/v1/integrations/${integrationId}/${list}?limit=500`)).body.items.length;
    // Delivery and chat rows are written by the chats just after each 202.
    await expect.poll(() => countOf('deliveries'), { timeout: 30_000, interval: 250 }).toBe(11);
    await expect.poll(() => countOf('chats'), { timeout: 30_000, interval: 250 }).toBe(11);

    await page.getByRole('link', { name: 'Deliveries' }).click();
    await page.getByRole('heading', { name: 'Deliveries' }).waitFor();
    await page.getByLabel('Rows per page').selectOption('10');
    await expect.poll(() => logRows().count()).toBe(10);
    expect(await page.locator('.list-footer').textContent()).toContain('Showing the first 10 deliveries');
    await page.getByRole('button', { name: 'Load more' }).click();
    await expect.poll(() => logRows().count()).toBe(11);
    expect(await page.locator('.list-footer').textContent()).toContain('All 11 deliveries shown');
    expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0);
    // A replay from the second page: the list keeps both pages, the message covers none of it.
    const last = logRows().last();
    await last.getByRole('button', { name: /Replay delivery/ }).click();
    await expect.poll(() => page.locator('.snackbar').textContent()).toContain('is being sent again');
    expect(await coveredBySnackbar()).toEqual([]);
    // Refresh keeps both pages: the replayed row of the second page shows its second attempt.
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Refresh' }).click();
          return [await logRows().count(), await last.locator('.attempts li').count()];
        },
        { timeout: 15_000, interval: 250 },
      )
      .toEqual([11, 2]);
    await shot('11-deliveries-load-more');

    await page.getByRole('link', { name: 'Chats' }).click();
    await page.getByRole('heading', { name: 'Chats' }).waitFor();
    await page.getByLabel('Rows per page').selectOption('10');
    await expect.poll(() => logRows().count()).toBe(10);
    await page.getByRole('button', { name: 'Load more' }).click();
    await expect.poll(() => logRows().count()).toBe(11);
    expect(await page.locator('.list-footer').textContent()).toContain('All 11 chats shown');
    await shot('12-chats-load-more');
  });

  it('lists connections read-only: nothing creates or edits a carrier connection; a sandbox one is created, tried and deleted', async () => {
    // Carrier (http) connections come from the operator, with the root key.
    await app.provisionConnection(tenantId, {
      code: 'CARRIER',
      channel: 'SMS',
      senders: [uniqueSender()],
      carrier: { type: 'http', url: 'https://carrier.example.com/sms' },
    });
    await page.getByRole('link', { name: 'Connections' }).click();
    await page.getByRole('heading', { name: 'Connections' }).waitFor();
    const carrierRow = connectionRow('CARRIER');
    await expect.poll(() => carrierRow.textContent()).toContain('provisioned by the operator');
    expect(await carrierRow.getByRole('button').count()).toBe(0);
    expect(await page.getByRole('button', { name: /edit/i }).count()).toBe(0);
    await connectionRow('OPEN').getByRole('button', { name: 'Simulate inbound message on OPEN' }).waitFor();
    await shot('15a-connections');

    // The only create is a sandbox one: no carrier type, no carrier URL.
    await page.getByRole('button', { name: 'New sandbox connection' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByLabel(/URL|type/i).count()).toBe(0);
    const trialSender = uniqueSender();
    await dialog.getByLabel('Code').fill('TRIAL');
    await dialog.getByLabel('Senders').fill(trialSender);
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.getByRole('heading', { name: 'Sandbox connection created' }).waitFor();
    const secret = (await dialog.getByLabel('Carrier secret').textContent()) ?? '';
    expect((await acme.get('/v1/connections/TRIAL')).body).toMatchObject({
      senders: [trialSender],
      carrier: { type: 'sandbox', secretSet: true },
    });
    // The secret shown is the one the carrier callback takes: past 401, no integration routes it.
    const probe = await apiClient(app.baseUrl, secret).post('/carriers/TRIAL/inbound', {
      messageId: 'console-trial-probe',
      from: CONTACT,
      to: trialSender,
      text: 'probe',
    });
    expect(probe.status).toBe(422);
    await shot('15b-sandbox-created');

    // Created in this session: Simulate has the secret filled in; no integration lists TRIAL yet.
    await dialog.getByRole('button', { name: 'Simulate inbound message' }).click();
    await dialog.getByRole('heading', { name: 'Simulate inbound message — TRIAL' }).waitFor();
    expect(await dialog.getByLabel('Carrier secret').inputValue()).toBe(secret);
    await dialog.getByRole('button', { name: 'Send inbound message' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toContain('422 NO_ROUTE');
    expect(await dialog.getByRole('alert').textContent()).toContain('Start an integration that lists this connection');
    await dialog.getByRole('button', { name: 'Close' }).click();

    await connectionRow('TRIAL').getByRole('button', { name: 'Delete connection TRIAL' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => connectionRow('TRIAL').count()).toBe(0);
    expect((await acme.get('/v1/connections/TRIAL')).status).toBe(404);
  });

  it('simulates an inbound message on a sandbox connection: the delivery shows in Deliveries', async () => {
    const contact = '5491100000777';
    const before = receiver.received.length;
    await connectionRow('OPEN').getByRole('button', { name: 'Simulate inbound message on OPEN' }).click();
    const dialog = page.getByRole('dialog');
    // Not created by this console: the secret is asked for, and the form says where to find it.
    expect(await dialog.getByLabel('Carrier secret').inputValue()).toBe('');
    await dialog.getByText('the console cannot read it back').waitFor();
    await dialog.getByLabel('Carrier secret').fill('not-the-secret');
    await dialog.getByLabel('From (contact number)').fill(contact);
    await dialog.getByLabel('To (sender)').selectOption(openSender);
    await dialog.getByLabel('Text', { exact: true }).fill('Simulated from the console');
    await dialog.getByRole('button', { name: 'Send inbound message' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toContain('401');

    await dialog.getByLabel('Carrier secret').fill(openConnection.carrierSecret);
    await dialog.getByRole('button', { name: 'Send inbound message' }).click();
    const answer = dialog.getByRole('status', { name: 'Answer' });
    await expect.poll(() => answer.textContent()).toContain('202 Accepted: chat');
    await shot('15c-simulated-inbound');
    const delivered = (await receiver.waitFor(before + 1)).at(-1)!;
    expect(JSON.parse(delivered.body)).toMatchObject({ contact, text: 'Simulated from the console' });

    await answer.getByRole('link', { name: 'Deliveries of Support desk' }).click();
    await page.getByRole('heading', { name: 'Deliveries' }).waitFor();
    const row = page.getByRole('row').filter({ hasText: contact });
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Refresh' }).click();
          return row.textContent();
        },
        { timeout: 15_000, interval: 250 },
      )
      .toContain('SUCCEEDED');
    expect(await row.textContent()).toContain('MESSAGE');
    await shot('15d-simulated-delivery');
  });

  it('keeps a card inactive when no connection starts, and names live campaigns that block a stop', async () => {
    await createIntegration(acme, 'Reserved only', ['RESERVED'], { url: `${receiver.url}/other` });
    // A long URL: on the card it wraps, but never between the method and the start of the URL.
    const chatbot = await createIntegration(acme, 'Chatbot bridge', [], {
      url: `${receiver.url}/chatbot-bridge/v2/inbound-conversations/events?tenant=acme-support-team`,
    });
    expect((await acme.post(`/v1/integrations/${chatbot.id}/start`)).status).toBe(200);
    const promoSender = uniqueSender();
    await createConnection(acme, 'PROMO', [promoSender]);
    const campaign = await acme.post('/v1/campaigns', {
      name: 'Spring promo',
      integrationId: chatbot.id,
      channel: 'SMS',
      senders: [promoSender],
    });
    expect((await acme.post(`/v1/campaigns/${campaign.body.id}/live`)).status).toBe(200);

    await page.getByRole('link', { name: 'Integrations' }).click();
    await page.getByRole('button', { name: 'Start Reserved only' }).click();
    const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Reserved only' }) });
    await expect.poll(() => card.getByRole('alert').textContent()).toContain('No connection could be activated');
    expect(await card.getByRole('alert').textContent()).toContain(reservedSender);
    expect(await card.textContent()).toContain('Inactive');

    await page.getByRole('button', { name: 'Stop Chatbot bridge' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: 'The integration cannot be stopped' }).waitFor();
    expect(await dialog.textContent()).toContain('Spring promo');
    await shot('13-stop-blocked-by-campaign');
    await dialog.getByRole('button', { name: 'Close' }).click();

    await page.getByRole('button', { name: 'Campaigns of Chatbot bridge' }).click();
    await expect.poll(() => page.getByRole('dialog').textContent()).toContain('Spring promo');
    expect(await page.getByRole('dialog').textContent()).toContain('Chatbot Service');
    await shot('14-campaigns');
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
    expect(await cardsWithMethodAlone()).toEqual([]);
    await shot('15-integrations-1280');
  });

  it('stays usable at phone width', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('heading', { name: 'Support desk' }).waitFor();
    // Nothing wider than the screen: no sideways scrolling of the whole page.
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    expect(await cardsWithMethodAlone()).toEqual([]);
    await shot('16-integrations-phone');
    await page.getByRole('button', { name: 'Edit Support desk' }).click();
    await page.getByLabel('Alias').waitFor();
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await shot('17-editor-phone');
  });

  it('links to the API reference, which renders offline from local assets', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    const external: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(app.baseUrl)) external.push(request.url());
    });
    await page.getByRole('link', { name: 'API reference' }).click();
    await page
      .getByRole('heading', { name: /chathook/ })
      .first()
      .waitFor();
    await page.getByText('/v1/integrations/{id}/start').first().waitFor();
    expect(external).toEqual([]);
    expect(await page.getByText('jsonSchemaDialect').count()).toBe(0);
    await shot('18-api-reference');
  });
});
