import dns from 'node:dns';
import net, { type LookupFunction } from 'node:net';
import { Agent, buildConnector, type Dispatcher } from 'undici';

/**
 * SSRF guard for every outbound HTTP call (client webhooks, carrier URLs).
 *
 * The real guard is the dispatcher from `createOutboundDispatcher`: it checks the address a
 * socket is about to connect to after DNS resolution, so a hostname that resolves to a public
 * address at configuration time and to 127.0.0.1 later (DNS rebinding) is still refused.
 */

type Category = { reason: string; list: net.BlockList };

function category(reason: string, v4: readonly string[], v6: readonly string[] = []): Category {
  const list = new net.BlockList();
  for (const cidr of v4) addCidr(list, cidr, 'ipv4');
  for (const cidr of v6) addCidr(list, cidr, 'ipv6');
  return { reason, list };
}

function addCidr(list: net.BlockList, cidr: string, family: 'ipv4' | 'ipv6'): void {
  const [address, prefix] = cidr.split('/');
  if (address === undefined || prefix === undefined) throw new Error(`bad CIDR ${cidr}`);
  list.addSubnet(address, Number(prefix), family);
}

// Order matters only for the reason shown in the error message: narrower ranges come first so
// 169.254.169.254 reads "cloud metadata" rather than "link-local".
const CATEGORIES: readonly Category[] = [
  category('cloud metadata address', ['169.254.169.254/32', '100.100.100.200/32'], ['fd00:ec2::254/128']),
  category('loopback address', ['127.0.0.0/8'], ['::1/128']),
  category('unspecified address', ['0.0.0.0/8'], ['::/128']),
  category('private address', ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']),
  category('carrier-grade NAT address', ['100.64.0.0/10']),
  category('link-local address', ['169.254.0.0/16'], ['fe80::/10']),
  category('unique-local address', [], ['fc00::/7']),
  // Local-use NAT64 (RFC 8215) translates into the operator's own network, and a translator may
  // place the IPv4 part anywhere from bit 48 on: no suffix check can vet it, so the prefix goes.
  category('local-use NAT64 address', [], ['64:ff9b:1::/48']),
  // Teredo tunnels through relays to a client whose IPv4 address is obfuscated in the low bits;
  // no webhook or carrier has a reason to sit behind one.
  category('Teredo address', [], ['2001::/32']),
  category('multicast address', ['224.0.0.0/4'], ['ff00::/8']),
  category('broadcast address', ['255.255.255.255/32']),
  category('reserved address', ['240.0.0.0/4', '192.0.0.0/24'], ['100::/64', 'fec0::/10']),
  category('benchmarking address', ['198.18.0.0/15'], ['2001:2::/48']),
  category('documentation address', ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24'], ['2001:db8::/32']),
];

/** Returns why `ip` must not be connected to, or undefined when it is a public unicast address. */
export function forbiddenReason(ip: string): string | undefined {
  const address = stripZone(ip);
  const version = net.isIP(address);
  // Anything that is not a literal address cannot be vetted, so it fails closed.
  if (version === 0) return 'not an IP address';
  const family = version === 4 ? 'ipv4' : 'ipv6';
  for (const { reason, list } of CATEGORIES) {
    if (list.check(address, family)) return reason;
  }
  if (version === 6) {
    const embedded = embeddedIPv4(address);
    if (embedded !== undefined) {
      const inner = forbiddenReason(embedded.address);
      if (inner !== undefined) return `${inner} via ${embedded.via} ${embedded.address}`;
    }
  }
  return undefined;
}

export function isForbiddenAddress(ip: string): boolean {
  return forbiddenReason(ip) !== undefined;
}

function stripZone(ip: string): string {
  const percent = ip.indexOf('%');
  return percent === -1 ? ip : ip.slice(0, percent);
}

/**
 * IPv6 forms whose traffic ends up at an IPv4 address (mapped sockets, NAT64 gateways, 6to4
 * relays). Their IPv4 part is vetted like a plain IPv4 address; BlockList cannot express
 * "prefix + forbidden suffix", so the IPv4 part is extracted here.
 */
function embeddedIPv4(ip: string): { address: string; via: string } | undefined {
  const h = ipv6Hextets(ip);
  if (h === undefined) return undefined;
  const zero = (from: number, to: number) => h.slice(from, to).every((x) => x === 0);
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  const [h0, h1, h2, , , h5, h6, h7] = h as [number, number, number, number, number, number, number, number];
  if (zero(0, 5) && h5 === 0xffff) return { address: v4(h6, h7), via: 'IPv4-mapped' };
  if (zero(0, 6)) return { address: v4(h6, h7), via: 'IPv4-compatible' };
  if (h0 === 0x64 && h1 === 0xff9b && zero(2, 6)) return { address: v4(h6, h7), via: 'NAT64' };
  if (h0 === 0x2002) return { address: v4(h1, h2), via: '6to4' };
  return undefined;
}

/** Expands a valid IPv6 literal (already checked with net.isIPv6) into its eight 16-bit groups. */
function ipv6Hextets(ip: string): number[] | undefined {
  let text = ip;
  const lastColon = text.lastIndexOf(':');
  const dotted = text.slice(lastColon + 1);
  if (net.isIPv4(dotted)) {
    const [a = 0, b = 0, c = 0, d = 0] = dotted.split('.').map(Number);
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((group) => parseInt(group, 16)));
  const halves = text.split('::');
  const left = parse(halves[0] ?? '');
  const right = halves.length > 1 ? parse(halves[1] ?? '') : [];
  const fill = 8 - left.length - right.length;
  if (fill < 0 || (halves.length === 1 && fill !== 0)) return undefined;
  return [...left, ...new Array<number>(fill).fill(0), ...right];
}

export class ForbiddenTargetError extends Error {
  readonly code = 'FORBIDDEN_TARGET' as const;
  override readonly name = 'ForbiddenTargetError';

  constructor(
    readonly address: string,
    readonly reason: string,
    readonly host: string,
  ) {
    super(`refusing to connect to ${address} (${reason}) for host ${host}`);
  }
}

/**
 * undici hands the connector's error to `request()` as-is today, but wrappers (retry handlers,
 * fetch's TypeError('fetch failed'), AggregateError from happy-eyeballs) may nest it.
 */
export function findForbiddenTargetError(error: unknown): ForbiddenTargetError | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const current = queue.shift();
    if (current === null || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    if (current instanceof ForbiddenTargetError) return current;
    if ('cause' in current) queue.push(current.cause);
    if (current instanceof AggregateError) queue.push(...(current.errors as unknown[]));
  }
  return undefined;
}

function forbiddenError(address: string, host: string): ForbiddenTargetError | undefined {
  const reason = forbiddenReason(address);
  return reason === undefined ? undefined : new ForbiddenTargetError(address, reason, host);
}

/**
 * Wraps a `dns.lookup`-compatible resolver so that a resolution containing any forbidden address
 * fails instead of yielding a connectable address. Refusing the whole answer (rather than
 * filtering it) keeps a hostname that mixes public and private records from ever reaching the
 * private one on a later retry or happy-eyeballs fallback.
 */
export function guardedLookup(resolve: LookupFunction = dns.lookup as LookupFunction): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, options, (err, address, family) => {
      if (err) {
        callback(err, address, family);
        return;
      }
      const addresses = typeof address === 'string' ? [address] : address.map((entry) => entry.address);
      for (const candidate of addresses) {
        const refused = forbiddenError(candidate, hostname);
        if (refused !== undefined) {
          callback(refused, address, family);
          return;
        }
      }
      callback(null, address, family);
    });
  };
}

export interface OutboundDispatcherOptions {
  /** Mirrors the webhook-allow-private setting: true disables every check. */
  allowPrivate: boolean;
  connectTimeoutMs?: number;
  /** Maximum sockets per origin; unlimited when omitted. */
  connections?: number;
  /** Resolver behind the guard; tests inject one to simulate DNS rebinding without real DNS. */
  lookup?: LookupFunction;
}

/**
 * Connection-pooling dispatcher that refuses forbidden targets at connect time.
 *
 * Two layers are needed because Node's net.connect skips the `lookup` option entirely when the
 * host is an IP literal (verified with undici 7 on Node 20: `http://127.0.0.1/` and
 * `http://[::ffff:127.0.0.1]/` never call lookup). The connector wrapper vets literals before any
 * socket exists; the guarded lookup vets resolved names before the socket connects.
 *
 * An error given to the lookup callback makes the socket emit it as its 'error'; undici's
 * connector passes that same object to the client, which rejects every queued request for the
 * origin with it unwrapped, so `request()` rejects with the ForbiddenTargetError itself and no
 * bytes are sent. The connection is not retried by undici; the next request tries a new lookup.
 */
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export function createOutboundDispatcher(options: OutboundDispatcherOptions): Dispatcher {
  const { allowPrivate, connectTimeoutMs, connections, lookup } = options;
  const timeout = connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  if (allowPrivate) {
    return new Agent({ connections: connections ?? null, connect: { timeout, ...(lookup ? { lookup } : {}) } });
  }
  const baseConnect = buildConnector({ timeout, lookup: guardedLookup(lookup) });
  const connect: buildConnector.connector = (connectOptions, callback) => {
    const hostname = unbracket(connectOptions.hostname);
    if (net.isIP(stripZone(hostname)) !== 0) {
      const refused = forbiddenError(hostname, hostname);
      if (refused !== undefined) {
        // Callers of a connector expect an asynchronous callback, as a real socket would give.
        process.nextTick(() => callback(refused, null));
        return;
      }
    }
    baseConnect(connectOptions, (err, socket) => {
      if (err !== null) {
        callback(err, null);
        return;
      }
      // Last line of defence should some path ever connect without consulting the lookup:
      // the TCP handshake happened, but no request bytes have been written yet.
      const remote = socket.remoteAddress;
      const refused = remote === undefined ? undefined : forbiddenError(remote, connectOptions.hostname);
      if (refused !== undefined) {
        socket.destroy();
        callback(refused, null);
        return;
      }
      callback(null, socket);
    });
  };
  return new Agent({ connections: connections ?? null, connect });
}

function unbracket(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

/**
 * Early feedback when a webhook or carrier URL is configured. It cannot stop rebinding (the
 * answer may change later); the dispatcher is the actual guard.
 */
export async function assertUrlAllowed(url: string, allowPrivate: boolean): Promise<void> {
  if (allowPrivate) return;
  const host = unbracket(new URL(url).hostname);
  if (net.isIP(stripZone(host)) !== 0) {
    const refused = forbiddenError(host, host);
    if (refused !== undefined) throw refused;
    return;
  }
  const addresses = await dns.promises.lookup(host, { all: true });
  for (const { address } of addresses) {
    const refused = forbiddenError(address, host);
    if (refused !== undefined) throw refused;
  }
}

/**
 * Why a configured URL is refused before anything is resolved: its host is a literal address in
 * a forbidden range, in any spelling the URL parser accepts (`2130706433`, `0x7f.0.0.1`, `127.1`
 * and `[::ffff:7f00:1]` all mean 127.0.0.1), or `localhost` (RFC 6761: loopback by definition).
 * Other names are left to the dispatcher, which vets the address each connection would use.
 */
export function literalTargetRefusal(url: string): string | undefined {
  let host: string;
  try {
    host = unbracket(new URL(url).hostname).toLowerCase();
  } catch {
    // Not a URL at all: the request schema answers that, not this check.
    return undefined;
  }
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  if (name === 'localhost' || name.endsWith('.localhost')) return `${host} (loopback name)`;
  if (net.isIP(stripZone(host)) === 0) return undefined;
  const reason = forbiddenReason(host);
  return reason === undefined ? undefined : `${host} (${reason})`;
}
