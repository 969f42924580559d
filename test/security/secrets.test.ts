/**
 * Issue 11, reproduction 3 (credential redirection): before, a PUT with a new URL host and the
 * masked Bearer token (`********`) answered 200, and the stored token would have been sent to
 * the new host. Also: a PUT without auth is NONE, the signing secret rotates with an overlap
 * (checked with the `standardwebhooks` library a receiver would use), and no secret appears in
 * an answer or a log line.
 */
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type ApiClient, type ProvisionedConnection, type TestApp } from '../support/harness.js';
import { carrierOf, createConnection, createIntegration, uniqueSender } from '../support/fixtures.js';
import { startHttpPeer, type HttpPeer, type ReceivedRequest } from '../support/http-peer.js';

const OVERLAP_MS = 8_000;
const BEARER = 'bearer-secret-4f1e9a';
const NEW_HOST_BEARER = 'bearer-secret-for-the-new-host-77c2';
const API_KEY_VALUE = 'api-key-value-secret-b83d';
const BASIC_PASSWORD = 'basic-password-secret-19ae';

const logLines: string[] = [];
/** Every secret the tests hand the server: none may come back in an answer or a log line. */
const secretsGiven = new Set([BEARER, NEW_HOST_BEARER, API_KEY_VALUE, BASIC_PASSWORD]);
const answers: string[] = [];

let app: TestApp;
let receiver: HttpPeer;
let newHost: HttpPeer;
let acme: { id: string; apiKey: string; client: ApiClient };
let other: { id: string; client: ApiClient };
let sandbox: ProvisionedConnection;
let sender: string;

beforeAll(async () => {
  app = await startTestApp({
    worker: true,
    env: { SIGNING_SECRET_OVERLAP: `${OVERLAP_MS}ms`, LOG_LEVEL: 'debug' },
    logStream: { write: (line: string) => void logLines.push(line) },
  });
  // Two receivers on two ports of one host: two origins.
  [receiver, newHost] = await Promise.all([startHttpPeer(), startHttpPeer()]);
  acme = await app.tenant('Acme');
  other = await app.tenant('Other');
  sender = uniqueSender();
  sandbox = await createConnection(acme.client, 'SECRETS-SB', [sender]);
  // Credentials of other kinds go through the same requests: the logs hold none of them either.
  secretsGiven.add(acme.apiKey).add(sandbox.carrierSecret);
});
afterAll(async () => {
  await app.close();
  await Promise.all([receiver.close(), newHost.close()]);
});

/** A client that remembers every answer, for the "never echoed" check. */
const recorded = (client: ApiClient): ApiClient => {
  const keep = async <T extends { body: unknown }>(answer: Promise<T>) => {
    const settled = await answer;
    answers.push(JSON.stringify(settled.body ?? ''));
    return settled;
  };
  return {
    get: (path) => keep(client.get(path)),
    post: (path, body) => keep(client.post(path, body)),
    put: (path, body) => keep(client.put(path, body)),
    delete: (path) => keep(client.delete(path)),
    raw: (path, init) => keep(client.raw(path, init)),
  };
};

const stored = async (id: string) => (await app.models.Integration.findById(id).lean())!;
const openSecret = async (id: string) => {
  const { auth } = await stored(id);
  return auth.secretSealed ? app.runtime.secretBox.open(auth.secretSealed) : undefined;
};

/** The integration as GET shows it, ready to PUT back with changes (secrets come back masked). */
async function editable(client: ApiClient, id: string) {
  const { body } = await client.get(`/v1/integrations/${id}`);
  const { alias, method, url, params, auth, headers, connections } = body;
  return { alias, method, url, params, auth, headers, body: body.body, connections };
}

describe('a secret is only sent to the origin it was entered for', () => {
  it('refuses a PUT that moves the URL to another host with the masked or a missing Bearer token (422 SECRET_REQUIRED) and changes nothing', async () => {
    const client = recorded(acme.client);
    const { id } = await createIntegration(client, 'Redirect me', [], {
      url: `${receiver.url}/hook`,
      auth: { type: 'BEARER', token: BEARER },
    });
    const before = await stored(id);
    const current = await editable(client, id);
    expect(current.auth).toEqual({ type: 'BEARER', token: '********' });

    const elsewhere = [
      'https://collector.attacker.example/steal',
      `${newHost.url}/hook`,
      receiver.url.replace('http://', 'https://'),
    ];
    for (const url of elsewhere) {
      for (const auth of [current.auth, { type: 'BEARER' }]) {
        const moved = await client.put(`/v1/integrations/${id}`, { ...current, url, auth });
        expect(moved.status, `${url} ${JSON.stringify(auth)}`).toBe(422);
        expect(moved.body.error).toMatchObject({
          code: 'SECRET_REQUIRED',
          fields: [{ path: 'auth.token', message: expect.stringContaining('origin') }],
        });
      }
    }
    // Nothing stored changed: URL, sealed token, update time.
    const after = await stored(id);
    expect(after.url).toBe(before.url);
    expect(after.auth).toEqual(before.auth);
    expect(after.updatedAt).toEqual(before.updatedAt);
    expect(await openSecret(id)).toBe(BEARER);
  });

  it('takes the move when the secret is given again, and the new host receives only that secret', async () => {
    const client = recorded(acme.client);
    const { id } = await createIntegration(client, 'Moving', ['SECRETS-SB'], {
      url: `${receiver.url}/hook`,
      auth: { type: 'BEARER', token: BEARER },
    });
    const current = await editable(client, id);
    const moved = await client.put(`/v1/integrations/${id}`, {
      ...current,
      url: `${newHost.url}/hook`,
      auth: { type: 'BEARER', token: NEW_HOST_BEARER },
    });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ url: `${newHost.url}/hook`, auth: { type: 'BEARER', token: '********' } });
    expect(await openSecret(id)).toBe(NEW_HOST_BEARER);

    expect((await client.post(`/v1/integrations/${id}/start`)).status).toBe(200);
    const contact = '5491100000701';
    expect(
      (
        await carrierOf(app.baseUrl, sandbox).post('/carriers/SECRETS-SB/inbound', {
          messageId: 'move-1',
          from: contact,
          to: sender,
          text: 'hi',
        })
      ).status,
    ).toBe(202);
    const [delivered] = await newHost.waitFor(1);
    expect(delivered!.headers.authorization).toBe(`Bearer ${NEW_HOST_BEARER}`);
    expect(receiver.received.some((request) => request.headers.authorization?.includes(BEARER))).toBe(false);
    expect((await client.post(`/v1/integrations/${id}/stop`)).status).toBe(200);
  });

  it('keeps a masked or left-out secret while the origin stays (path, query and default port may change)', async () => {
    const client = recorded(acme.client);
    const { id } = await createIntegration(client, 'Same origin', [], {
      url: `${receiver.url}/hook`,
      auth: { type: 'BEARER', token: BEARER },
    });
    const current = await editable(client, id);
    for (const [url, auth] of [
      [`${receiver.url}/other/path?tenant=acme`, current.auth],
      [`${receiver.url}/left-out`, { type: 'BEARER' }],
    ] as const) {
      const kept = await client.put(`/v1/integrations/${id}`, { ...current, url, auth });
      expect(kept.status, url).toBe(200);
      expect(await openSecret(id)).toBe(BEARER);
    }
    // `https://host` and `https://host:443` are one origin.
    const https = await createIntegration(client, 'Default port', [], {
      url: 'https://hooks.client.example/in',
      auth: { type: 'BEARER', token: BEARER },
    });
    const httpsCurrent = await editable(client, https.id);
    expect(
      (
        await client.put(`/v1/integrations/${https.id}`, {
          ...httpsCurrent,
          url: 'https://HOOKS.client.example:443/v2',
        })
      ).status,
    ).toBe(200);
    expect(await openSecret(https.id)).toBe(BEARER);
  });

  it('asks for the API key value and the Basic password again on a move, as for the Bearer token', async () => {
    const client = recorded(acme.client);
    const cases = [
      {
        auth: { type: 'API_KEY', key: 'X-Api-Key', value: API_KEY_VALUE, in: 'query' },
        path: 'auth.value',
        secret: API_KEY_VALUE,
      },
      {
        auth: { type: 'BASIC', username: 'acme', password: BASIC_PASSWORD },
        path: 'auth.password',
        secret: BASIC_PASSWORD,
      },
    ];
    for (const { auth, path, secret } of cases) {
      const { id } = await createIntegration(client, `Move ${auth.type}`, [], { url: `${receiver.url}/hook`, auth });
      const current = await editable(client, id);
      const moved = await client.put(`/v1/integrations/${id}`, {
        ...current,
        url: 'https://another.client.example/hook',
      });
      expect(moved.status).toBe(422);
      expect(moved.body.error).toMatchObject({ code: 'SECRET_REQUIRED', fields: [{ path }] });
      expect(await openSecret(id)).toBe(secret);
      expect((await client.put(`/v1/integrations/${id}`, { ...current, url: `${receiver.url}/renamed` })).status).toBe(
        200,
      );
      expect(await openSecret(id)).toBe(secret);
    }
  });

  it('reads a PUT without auth as NONE: the stored secret is dropped, and a later masked one has nothing to keep', async () => {
    const client = recorded(acme.client);
    const { id } = await createIntegration(client, 'No auth', [], {
      url: `${receiver.url}/hook`,
      auth: { type: 'BEARER', token: BEARER },
    });
    const { auth: _masked, ...withoutAuth } = await editable(client, id);
    const none = await client.put(`/v1/integrations/${id}`, withoutAuth);
    expect(none.status).toBe(200);
    expect(none.body.auth).toEqual({ type: 'NONE' });
    expect((await stored(id)).auth).toEqual({ type: 'NONE' });

    const masked = await client.put(`/v1/integrations/${id}`, {
      ...withoutAuth,
      auth: { type: 'BEARER', token: '********' },
    });
    expect(masked.status).toBe(422);
    expect(masked.body.error).toMatchObject({ code: 'SECRET_REQUIRED', fields: [{ path: 'auth.token' }] });
  });

  it('requires every secret in full on create: it is part of the published schema (400 VALIDATION_ERROR)', async () => {
    const client = recorded(acme.client);
    for (const auth of [
      { type: 'BEARER' },
      { type: 'BEARER', token: '********' },
      { type: 'BASIC', username: 'u' },
      { type: 'API_KEY', key: 'X-Key', value: '********' },
    ]) {
      const created = await client.post('/v1/integrations', {
        alias: 'No secret',
        method: 'POST',
        url: `${receiver.url}/hook`,
        auth,
      });
      expect(created.status, JSON.stringify(auth)).toBe(400);
      expect(created.body.error.code).toBe('VALIDATION_ERROR');
      expect(created.body.error.fields[0].path).toMatch(/^auth\.(token|password|value)$/);
    }
  });
});

describe('signing-secret rotation', () => {
  const verifies = (secret: string, request: ReceivedRequest) => {
    try {
      new Webhook(secret).verify(request.body, request.headers as Record<string, string>);
      return true;
    } catch {
      return false;
    }
  };

  it('signs with the old and the new secret for SIGNING_SECRET_OVERLAP after a rotation, then with the new one only', async () => {
    const client = recorded(acme.client);
    receiver.received.length = 0;
    const created = await createIntegration(client, 'Rotating', ['SECRETS-SB'], { url: `${receiver.url}/rotating` });
    const oldSecret = created.signingSecret;
    expect((await client.post(`/v1/integrations/${created.id}/start`)).status).toBe(200);

    const rotatedAfter = Date.now();
    const rotated = await client.post(`/v1/integrations/${created.id}/rotate-signing-secret`);
    const rotatedBy = Date.now();
    expect(rotated.status).toBe(200);
    const newSecret = rotated.body.signingSecret as string;
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(oldSecret);
    secretsGiven.add(oldSecret).add(newSecret);
    // The replaced secret is kept sealed, with the end of its overlap.
    const { previousSigningSecret } = await stored(created.id);
    expect(previousSigningSecret!.secretSealed).not.toContain(oldSecret);
    expect(app.runtime.secretBox.open(previousSigningSecret!.secretSealed)).toBe(oldSecret);
    const overlapEnds = previousSigningSecret!.expiresAt.getTime();
    // SIGNING_SECRET_OVERLAP from the moment of the rotation, which happened during the call.
    expect(overlapEnds).toBeGreaterThanOrEqual(rotatedAfter + OVERLAP_MS);
    expect(overlapEnds).toBeLessThanOrEqual(rotatedBy + OVERLAP_MS);

    const contact = '5491100000702';
    const inbound = (messageId: string) =>
      carrierOf(app.baseUrl, sandbox).post('/carriers/SECRETS-SB/inbound', {
        messageId,
        from: contact,
        to: sender,
        text: messageId,
      });
    expect((await inbound('during-overlap')).status).toBe(202);
    const [during] = await receiver.waitFor(1);
    expect(Number(during!.headers['webhook-timestamp']) * 1000).toBeLessThan(overlapEnds);
    expect(String(during!.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifies(oldSecret, during!)).toBe(true);
    expect(verifies(newSecret, during!)).toBe(true);

    await new Promise((resolve) => setTimeout(resolve, Math.max(0, overlapEnds - Date.now() + 200)));
    expect((await inbound('after-overlap')).status).toBe(202);
    const [, after] = await receiver.waitFor(2);
    expect(JSON.parse(after!.body).text).toBe('after-overlap');
    expect(String(after!.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(verifies(newSecret, after!)).toBe(true);
    expect(verifies(oldSecret, after!)).toBe(false);
    expect((await client.post(`/v1/integrations/${created.id}/stop`)).status).toBe(200);
  }, 60_000);

  it("answers 404 for an unknown id and for another tenant's integration", async () => {
    const { id } = await createIntegration(acme.client, 'Not yours', []);
    const before = (await stored(id)).signingSecretSealed;
    expect((await other.client.post(`/v1/integrations/${id}/rotate-signing-secret`)).status).toBe(404);
    expect((await acme.client.post('/v1/integrations/000000000000000000000000/rotate-signing-secret')).status).toBe(
      404,
    );
    expect((await stored(id)).signingSecretSealed).toBe(before);
  });
});

describe('secrets stay out of answers and logs', () => {
  it('never echoes an auth secret or a signing secret after the answer that issued it, and logs none', async () => {
    const client = recorded(acme.client);
    const list = await client.get('/v1/integrations?limit=500');
    expect(list.body.items.length).toBeGreaterThan(5);
    for (const { id } of list.body.items as Array<{ id: string }>) {
      await client.get(`/v1/integrations/${id}`);
      await client.get(`/v1/integrations/${id}/api-details`);
    }
    const issued = answers.filter((answer) => /"signingSecret":"whsec_/.test(answer));
    for (const answer of answers.filter((text) => !issued.includes(text))) {
      for (const secret of secretsGiven) expect(answer).not.toContain(secret);
      expect(answer).not.toContain('whsec_');
    }
    // The capture works (requests and deliveries were logged), and holds no secret.
    const log = logLines.join('');
    expect(log).toContain('webhook delivered');
    expect(log).toContain('/v1/integrations');
    for (const secret of secretsGiven) expect(log).not.toContain(secret);
    expect(log).not.toContain('whsec_');
  });
});
