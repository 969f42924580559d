import { createServer, type Server } from 'node:http';
import net, { type AddressInfo, type LookupFunction } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, type Dispatcher } from 'undici';
import {
  assertUrlAllowed,
  createOutboundDispatcher,
  findForbiddenTargetError,
  ForbiddenTargetError,
  guardedLookup,
  isForbiddenAddress,
} from '../../../src/platform/outbound-http.js';

describe('isForbiddenAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback /8'],
    ['::1', 'IPv6 loopback'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'this-network /8'],
    ['::', 'IPv6 unspecified'],
    ['10.0.0.5', 'private 10/8'],
    ['172.16.0.1', 'private 172.16/12 low end'],
    ['172.31.255.255', 'private 172.16/12 high end'],
    ['192.168.1.1', 'private 192.168/16'],
    ['100.64.0.1', 'CGNAT low end'],
    ['100.127.255.255', 'CGNAT high end'],
    ['169.254.169.254', 'cloud metadata'],
    ['169.254.1.1', 'link-local'],
    ['fe80::1', 'IPv6 link-local'],
    ['febf::1', 'IPv6 link-local high end of fe80::/10'],
    ['fe80::1%eth0', 'IPv6 link-local with zone id'],
    ['fc00::1', 'unique-local fc00::/8 half'],
    ['fd12:3456::1', 'unique-local fd00::/8 half'],
    ['224.0.0.1', 'multicast low end'],
    ['239.255.255.250', 'multicast high end'],
    ['ff02::1', 'IPv6 multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved 240/4'],
    ['198.18.0.1', 'benchmarking low end'],
    ['198.19.255.255', 'benchmarking high end'],
    ['192.0.2.10', 'documentation TEST-NET-1'],
    ['2001:db8::1', 'IPv6 documentation'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback, dotted'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback, hex'],
    ['0:0:0:0:0:ffff:7f00:1', 'IPv4-mapped loopback, uncompressed'],
    ['::ffff:10.0.0.5', 'IPv4-mapped private'],
    ['::ffff:a9fe:a9fe', 'IPv4-mapped metadata'],
    ['::127.0.0.1', 'IPv4-compatible loopback'],
    ['64:ff9b::7f00:1', 'NAT64 loopback'],
    ['64:ff9b::10.0.0.5', 'NAT64 private, dotted'],
    ['64:ff9b:1::a9fe:a9fe', 'local-use NAT64 metadata'],
    ['2002:7f00:1::', '6to4 loopback'],
    ['2002:a9fe:a9fe::1', '6to4 metadata'],
    ['2002:c0a8:101:1::1', '6to4 private'],
  ])('refuses %s (%s)', (ip) => {
    expect(isForbiddenAddress(ip)).toBe(true);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.216.34',
    '172.15.255.255',
    '172.32.0.1',
    '100.63.255.255',
    '100.128.0.1',
    '198.20.0.1',
    '223.255.255.255',
    '2606:4700:4700::1111',
    '2a00:1450:4001:80b::200e',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:808:808::1',
  ])('allows public %s', (ip) => {
    expect(isForbiddenAddress(ip)).toBe(false);
  });

  it.each(['example.com', '', '127.1', '999.0.0.1'])('fails closed on the non-address %j', (text) => {
    expect(isForbiddenAddress(text)).toBe(true);
  });
});

describe('ForbiddenTargetError and findForbiddenTargetError', () => {
  const error = new ForbiddenTargetError('10.0.0.5', 'private address', 'example.internal');

  it('carries the code, address, reason and host', () => {
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('FORBIDDEN_TARGET');
    expect(error.name).toBe('ForbiddenTargetError');
    expect(error.message).toBe('refusing to connect to 10.0.0.5 (private address) for host example.internal');
  });

  it('finds the error itself, through cause chains and inside AggregateError', () => {
    expect(findForbiddenTargetError(error)).toBe(error);
    const wrapped = new TypeError('fetch failed', { cause: new Error('connect failed', { cause: error }) });
    expect(findForbiddenTargetError(wrapped)).toBe(error);
    expect(findForbiddenTargetError(new AggregateError([new Error('other'), error]))).toBe(error);
  });

  it('returns undefined for unrelated errors, non-errors and cyclic causes', () => {
    const cyclic = new Error('a') as Error & { cause?: unknown };
    cyclic.cause = new Error('b', { cause: cyclic });
    expect(findForbiddenTargetError(cyclic)).toBeUndefined();
    expect(findForbiddenTargetError(new Error('plain'))).toBeUndefined();
    expect(findForbiddenTargetError('string')).toBeUndefined();
    expect(findForbiddenTargetError(undefined)).toBeUndefined();
  });
});

/** A resolver that answers every name with fixed addresses, standing in for a rebinding DNS server. */
function fakeResolver(answers: string[]): LookupFunction {
  return (_hostname, options, callback) => {
    const entries = answers.map((address) => ({ address, family: net.isIP(address) }));
    setImmediate(() => {
      if (options.all) callback(null, entries);
      else callback(null, entries[0]?.address ?? '', entries[0]?.family);
    });
  };
}

function lookupOnce(
  lookup: LookupFunction,
  all: boolean,
): Promise<{ err: NodeJS.ErrnoException | null; address: unknown }> {
  return new Promise((resolve) => {
    lookup('rebind.example', { all }, (err, address) => resolve({ err, address }));
  });
}

describe('guardedLookup', () => {
  it.each([true, false])('refuses a resolution to a private address (all: %s)', async (all) => {
    const { err } = await lookupOnce(guardedLookup(fakeResolver(['127.0.0.1'])), all);
    expect(err).toBeInstanceOf(ForbiddenTargetError);
    expect(err?.message).toBe('refusing to connect to 127.0.0.1 (loopback address) for host rebind.example');
  });

  it('refuses the whole answer when any record is private', async () => {
    const { err } = await lookupOnce(guardedLookup(fakeResolver(['93.184.216.34', '10.0.0.5'])), true);
    expect(findForbiddenTargetError(err)?.address).toBe('10.0.0.5');
  });

  it('passes public answers through unchanged', async () => {
    expect(await lookupOnce(guardedLookup(fakeResolver(['93.184.216.34', '2606:4700:4700::1111'])), true)).toEqual({
      err: null,
      address: [
        { address: '93.184.216.34', family: 4 },
        { address: '2606:4700:4700::1111', family: 6 },
      ],
    });
    expect(await lookupOnce(guardedLookup(fakeResolver(['93.184.216.34'])), false)).toEqual({
      err: null,
      address: '93.184.216.34',
    });
  });

  it('passes resolver errors through', async () => {
    const failure = Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    const failing: LookupFunction = (_hostname, _options, callback) => callback(failure, '');
    const { err } = await lookupOnce(guardedLookup(failing), true);
    expect(err).toBe(failure);
  });
});

describe('createOutboundDispatcher against a loopback server', () => {
  let server: Server;
  let port: number;
  let received = 0;
  let tcpConnections = 0;
  const dispatchers: Dispatcher[] = [];

  function dispatcher(options: Parameters<typeof createOutboundDispatcher>[0]): Dispatcher {
    const created = createOutboundDispatcher(options);
    dispatchers.push(created);
    return created;
  }

  async function expectRefused(url: string, options: Parameters<typeof createOutboundDispatcher>[0]) {
    const before = { received, tcpConnections };
    const error: unknown = await request(url, { dispatcher: dispatcher(options) }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error, `request to ${url} should fail`).toBeDefined();
    expect(findForbiddenTargetError(error)).toBeInstanceOf(ForbiddenTargetError);
    // Refusal happens before any socket is opened, not merely before the request is written.
    expect({ received, tcpConnections }).toEqual(before);
    return findForbiddenTargetError(error);
  }

  beforeAll(async () => {
    server = createServer((_req, res) => {
      received += 1;
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    server.on('connection', () => {
      tcpConnections += 1;
    });
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await Promise.all(dispatchers.map((d) => d.close()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('refuses an IPv4 literal (Node skips lookup for literals)', async () => {
    const refused = await expectRefused(`http://127.0.0.1:${port}/`, { allowPrivate: false });
    expect(refused?.message).toBe('refusing to connect to 127.0.0.1 (loopback address) for host 127.0.0.1');
  });

  it('refuses a name that resolves to loopback', async () => {
    await expectRefused(`http://localhost:${port}/`, { allowPrivate: false });
  });

  it('refuses an IPv4-mapped IPv6 literal', async () => {
    const refused = await expectRefused(`http://[::ffff:127.0.0.1]:${port}/`, { allowPrivate: false });
    expect(refused?.address).toBe('::ffff:7f00:1');
  });

  it('refuses a rebinding name resolved to loopback at connect time', async () => {
    const refused = await expectRefused(`http://rebind.example:${port}/`, {
      allowPrivate: false,
      lookup: fakeResolver(['127.0.0.1']),
    });
    expect(refused?.host).toBe('rebind.example');
  });

  it('connects to loopback when private targets are allowed', async () => {
    for (const url of [`http://127.0.0.1:${port}/`, `http://[::ffff:127.0.0.1]:${port}/`]) {
      const response = await request(url, { dispatcher: dispatcher({ allowPrivate: true }) });
      expect(response.statusCode).toBe(200);
      expect(await response.body.text()).toBe('ok');
    }
  });

  it('uses the injected resolver, so the rebinding case would otherwise have reached the server', async () => {
    const before = received;
    const response = await request(`http://rebind.example:${port}/`, {
      dispatcher: dispatcher({ allowPrivate: true, lookup: fakeResolver(['127.0.0.1']) }),
    });
    expect(response.statusCode).toBe(200);
    await response.body.text();
    expect(received).toBe(before + 1);
  });
});

describe('assertUrlAllowed', () => {
  it.each(['http://127.0.0.1/', 'http://[::1]:8080/hook', 'https://169.254.169.254/latest', 'http://localhost:3000/'])(
    'rejects %s',
    async (url) => {
      await expect(assertUrlAllowed(url, false)).rejects.toBeInstanceOf(ForbiddenTargetError);
    },
  );

  it('accepts a public IP literal without resolving or connecting', async () => {
    await expect(assertUrlAllowed('https://93.184.216.34/hook', false)).resolves.toBeUndefined();
  });

  it('accepts anything when private targets are allowed', async () => {
    await expect(assertUrlAllowed('http://127.0.0.1/', true)).resolves.toBeUndefined();
  });

  it('rejects a malformed URL', async () => {
    await expect(assertUrlAllowed('not a url', false)).rejects.toThrow(TypeError);
  });
});
