/**
 * Issue 11, the SSRF matrix (SPEC section 4: targets on loopback, private, link-local or metadata
 * addresses are refused unless WEBHOOK_ALLOW_PRIVATE=true), through the real delivery path: an
 * API and a worker with WEBHOOK_ALLOW_PRIVATE=false, a sandbox MO, the chat workflow and the
 * attempt activity sending with the runtime's guarded dispatcher. Every target is refused, the
 * delivery is FAILED with the refusal as its attempt's error, and the loopback listener every
 * URL points at sees no connection.
 *
 * Create and update refuse literal private hosts, so the matrix writes each URL into the stored
 * integration (as an old record or a direct database edit would hold it). Names are answered by
 * a resolver injected behind the guard (the dispatcher's `lookup` option), which is how the
 * rebinding cases are played without a DNS server; `localhost` goes to the system resolver.
 */
import dns from 'node:dns';
import { createServer, type Server } from 'node:http';
import net, { type AddressInfo, type LookupFunction } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboundDispatcher } from '../../src/platform/outbound-http.js';
import { startWorker, type RunningWorker } from '../../src/temporal/worker.js';
import {
  ADMIN_KEY,
  apiClient,
  startTestApp,
  type ApiClient,
  type ProvisionedConnection,
  type TestApp,
} from '../support/harness.js';
import { carrierOf, createConnection, uniqueSender } from '../support/fixtures.js';

const PUBLIC_ADDRESS = '93.184.216.34';

/** Names the injected resolver answers (others go to the system resolver). */
const answers: Record<string, () => string[]> = {
  'loopback.ssrf.test': () => ['127.0.0.1'],
  'private.ssrf.test': () => ['10.1.2.3'],
  'metadata.ssrf.test': () => ['169.254.169.254'],
  'mapped.ssrf.test': () => ['::ffff:127.0.0.1'],
  // One answer, public record first and loopback second: a fallback would reach the second.
  'mixed.ssrf.test': () => [PUBLIC_ADDRESS, '127.0.0.1'],
};
/** A rebinding name: public on its first lookup (what a check at configuration time would see), loopback after. */
let rebindLookups = 0;
answers['rebind.ssrf.test'] = () => ((rebindLookups += 1) === 1 ? [PUBLIC_ADDRESS] : ['127.0.0.1']);

const resolver: LookupFunction = (hostname, options, callback) => {
  const answer = answers[hostname];
  if (!answer) {
    dns.lookup(hostname, options, callback);
    return;
  }
  const entries = answer().map((address) => ({ address, family: net.isIP(address) }));
  setImmediate(() => {
    if (options.all) callback(null, entries);
    else callback(null, entries[0]!.address, entries[0]!.family);
  });
};

let app: TestApp;
let worker: RunningWorker;
let listener: Server;
let port: number;
const reached = { requests: 0, connections: 0 };
let tenant: { id: string; client: ApiClient };
let connection: ProvisionedConnection;
let sender: string;
let integrationId: string;

beforeAll(async () => {
  listener = createServer((_req, res) => {
    reached.requests += 1;
    res.end('ok');
  });
  listener.on('connection', () => (reached.connections += 1));
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  port = (listener.address() as AddressInfo).port;

  app = await startTestApp({ env: { WEBHOOK_ALLOW_PRIVATE: 'false' } });
  // The runtime's own dispatcher (allowPrivate false), with the test's resolver behind its guard.
  worker = await startWorker(
    { ...app.runtime, dispatcher: createOutboundDispatcher({ allowPrivate: false, lookup: resolver }) },
    app.temporalAddress,
  );
  tenant = await app.tenant('Ssrf');
  sender = uniqueSender();
  connection = await createConnection(tenant.client, 'SSRF-SANDBOX', [sender]);
  const created = await tenant.client.post('/v1/integrations', {
    alias: 'Ssrf',
    method: 'POST',
    url: 'https://hooks.ssrf.test/receiver',
    connections: [{ code: 'SSRF-SANDBOX' }],
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  integrationId = created.body.id;
  expect((await tenant.client.post(`/v1/integrations/${integrationId}/start`)).status).toBe(200);
}, 60_000);

afterAll(async () => {
  await worker?.shutdown();
  await app?.close();
  await new Promise<void>((resolve) => listener?.close(() => resolve()));
});

let contacts = 0;
/** Points the stored integration at `url`, simulates an MO from a new contact and waits for its delivery to settle. */
async function deliverTo(url: string) {
  await app.models.Integration.updateOne({ _id: integrationId }, { $set: { url } });
  // Written behind the API's back (the API refuses these URLs): what a write through the API does
  // to the process's route cache, done here, so the first attempt sees this URL (ROUTE_CACHE_TTL).
  app.runtime.routeCache.clear();
  contacts += 1;
  const contact = `54911${String(contacts).padStart(8, '0')}`;
  const inbound = await carrierOf(app.baseUrl, connection).post('/carriers/SSRF-SANDBOX/inbound', {
    messageId: `ssrf-${contacts}`,
    from: contact,
    to: sender,
    text: url,
  });
  expect(inbound.status, JSON.stringify(inbound.body)).toBe(202);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const listing = await tenant.client.get(
      `/v1/integrations/${integrationId}/deliveries?chatId=${encodeURIComponent(inbound.body.chatId)}`,
    );
    expect(listing.status).toBe(200);
    const [delivery] = listing.body.items as Array<{
      status: string;
      attempts: Array<{ statusCode: number | null; error: string | null }>;
    }>;
    if (delivery && delivery.status !== 'PENDING') return delivery;
    if (Date.now() > deadline) throw new Error(`the delivery to ${url} did not settle: ${JSON.stringify(delivery)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the SSRF matrix through the delivery path (WEBHOOK_ALLOW_PRIVATE=false)', () => {
  const target = (host: string) => `http://${host}:${port}/hook`;
  it.each([
    ['loopback', '127.0.0.1', 'loopback address'],
    ['loopback, elsewhere in 127/8', '127.8.9.10', 'loopback address'],
    ['RFC 1918 10/8', '10.0.0.1', 'private address'],
    ['RFC 1918 172.16/12', '172.16.0.1', 'private address'],
    ['RFC 1918 192.168/16', '192.168.1.1', 'private address'],
    ['CGNAT 100.64/10', '100.64.0.1', 'carrier-grade NAT address'],
    ['link-local', '169.254.10.20', 'link-local address'],
    ['cloud metadata (IPv4)', '169.254.169.254', 'cloud metadata address'],
    ['cloud metadata (IPv6)', '[fd00:ec2::254]', 'cloud metadata address'],
    ['IPv4 as one decimal number', '2130706433', 'loopback address'],
    ['IPv4 in octal', '0177.0.0.1', 'loopback address'],
    ['IPv4 in hex', '0x7f.0.0.1', 'loopback address'],
    ['IPv4 short form', '127.1', 'loopback address'],
    ['IPv6 loopback', '[::1]', 'loopback address'],
    ['IPv4-mapped IPv6, dotted', '[::ffff:127.0.0.1]', 'loopback address'],
    ['IPv4-mapped IPv6, hex', '[::ffff:7f00:1]', 'loopback address'],
    ['NAT64 64:ff9b::/96 to loopback', '[64:ff9b::7f00:1]', 'loopback address via NAT64 127.0.0.1'],
    ['NAT64 64:ff9b::/96 to metadata', '[64:ff9b::a9fe:a9fe]', 'cloud metadata address via NAT64 169.254.169.254'],
    ['local-use NAT64 64:ff9b:1::/48', '[64:ff9b:1::a00:1]', 'local-use NAT64 address'],
    ['6to4 2002::/16 embedding loopback', '[2002:7f00:1::1]', 'loopback address via 6to4 127.0.0.1'],
    ['6to4 2002::/16 embedding 10/8', '[2002:a00:1::1]', 'private address via 6to4 10.0.0.1'],
    ['Teredo 2001::/32', '[2001:0:4136:e378:8000:63bf:3fff:fdd2]', 'Teredo address'],
    ['unspecified IPv4', '0.0.0.0', 'unspecified address'],
    ['unspecified IPv6', '[::]', 'unspecified address'],
    ['a name the system resolves to loopback', 'localhost', 'loopback address'],
    ['a name resolving to loopback', 'loopback.ssrf.test', 'loopback address'],
    ['a name resolving to RFC 1918', 'private.ssrf.test', 'private address'],
    ['a name resolving to the metadata address', 'metadata.ssrf.test', 'cloud metadata address'],
    ['a name resolving to an IPv4-mapped loopback', 'mapped.ssrf.test', 'loopback address'],
    ['a name resolving public first and loopback second', 'mixed.ssrf.test', 'loopback address'],
  ])('refuses %s (%s) and records why on the delivery', async (_case, host, reason) => {
    const before = { ...reached };
    const delivery = await deliverTo(target(host));
    expect(delivery.status).toBe('FAILED');
    // Refused for good: one attempt, no status, the refusal (address and reason) as its error.
    expect(delivery.attempts).toHaveLength(1);
    expect(delivery.attempts[0]!.statusCode).toBeNull();
    expect(delivery.attempts[0]!.error).toMatch(/^refusing to connect to \S+ \(.+\) for host \S+$/);
    expect(delivery.attempts[0]!.error).toContain(`(${reason})`);
    expect(reached).toEqual(before);
  });

  it('refuses a rebinding name: public when looked up beforehand, loopback when the delivery connects', async () => {
    const before = { ...reached };
    // What a check when the URL is saved would have seen.
    const first = await new Promise<string>((resolve, reject) =>
      resolver('rebind.ssrf.test', {}, (err, address) => (err ? reject(err) : resolve(String(address)))),
    );
    expect(first).toBe(PUBLIC_ADDRESS);
    const delivery = await deliverTo(target('rebind.ssrf.test'));
    expect(delivery.status).toBe('FAILED');
    expect(delivery.attempts[0]!.error).toBe(
      'refusing to connect to 127.0.0.1 (loopback address) for host rebind.ssrf.test',
    );
    expect(rebindLookups).toBeGreaterThanOrEqual(2);
    expect(reached).toEqual(before);
  });

  it('never let a request, or a connection, reach the loopback listener', () => {
    expect(reached).toEqual({ requests: 0, connections: 0 });
  });
});

describe('literal private URLs are refused when configured (WEBHOOK_ALLOW_PRIVATE=false)', () => {
  const privateUrls = [
    'http://127.0.0.1:8080/hook',
    'http://10.0.0.5/hook',
    'http://172.20.1.1/hook',
    'http://192.168.0.10/hook',
    'http://100.64.1.1/hook',
    'http://169.254.169.254/latest/meta-data',
    'http://0.0.0.0/hook',
    'http://localhost:3000/hook',
    'http://api.localhost/hook',
  ];

  it.each(privateUrls)('POST /v1/integrations with %s is 400 naming url', async (url) => {
    const response = await tenant.client.post('/v1/integrations', { alias: 'Private', method: 'POST', url });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'VALIDATION_ERROR', fields: [{ path: 'url' }] });
    expect(response.body.error.fields[0].message).toContain('WEBHOOK_ALLOW_PRIVATE');
  });

  it('PUT /v1/integrations/:id to a private URL is 400 naming url, and the stored URL is kept', async () => {
    const created = await tenant.client.post('/v1/integrations', {
      alias: 'Public',
      method: 'POST',
      url: 'https://hooks.example.com/chathook',
    });
    expect(created.status).toBe(201);
    const updated = await tenant.client.put(`/v1/integrations/${created.body.id}`, {
      alias: 'Public',
      method: 'POST',
      url: 'http://10.0.0.5/hook',
    });
    expect(updated.status).toBe(400);
    expect(updated.body.error).toMatchObject({ code: 'VALIDATION_ERROR', fields: [{ path: 'url' }] });
    expect((await tenant.client.get(`/v1/integrations/${created.body.id}`)).body.url).toBe(
      'https://hooks.example.com/chathook',
    );
    const renamed = await tenant.client.put(`/v1/integrations/${created.body.id}`, {
      alias: 'Public',
      method: 'POST',
      url: 'https://hooks.example.com/v2',
    });
    expect(renamed.status).toBe(200);
  });

  it('an http carrier URL on a private address is 400 naming carrier.url', async () => {
    const operator = apiClient(app.baseUrl, ADMIN_KEY);
    const refused = await operator.post(`/v1/tenants/${tenant.id}/connections`, {
      code: 'SSRF-HTTP',
      channel: 'SMS',
      senders: [uniqueSender()],
      carrier: { type: 'http', url: 'http://169.254.169.254/send' },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'VALIDATION_ERROR', fields: [{ path: 'carrier.url' }] });
    const accepted = await operator.post(`/v1/tenants/${tenant.id}/connections`, {
      code: 'SSRF-HTTP',
      channel: 'SMS',
      senders: [uniqueSender()],
      carrier: { type: 'http', url: 'https://carrier.example.com/send' },
    });
    expect(accepted.status).toBe(201);
  });

  it('states the rule on the published url fields', async () => {
    const document = JSON.stringify(await (await fetch(`${app.baseUrl}/openapi.json`)).json());
    expect(document).toContain('WEBHOOK_ALLOW_PRIVATE=true');
  });
});
