/**
 * The production shape (SPEC section 8; issue 11, reproduction 6: Temporal's frontend and UI
 * were published on every interface without authentication and MongoDB ran without auth). No
 * Docker engine runs where the tests run, so the compose file is read the way `docker compose
 * config` reads it: YAML with merge keys, then `${…}` interpolation from an environment.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfig } from '../../src/platform/config.js';

const ROOT = new URL('../../', import.meta.url);
const SOURCE = readFileSync(new URL('docker-compose.yml', ROOT), 'utf8');

type Port = string | number | { target: number; published?: string | number; host_ip?: string };
interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: Port[];
  depends_on?: Record<string, unknown>;
}
interface Compose {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
}

class MissingVariable extends Error {}

/**
 * Compose's interpolation: `$$`, `$VAR`, `${VAR}`, `${VAR:-x}`, `${VAR-x}`, `${VAR:?msg}`, `${VAR?msg}`, `${VAR:+x}`,
 * `${VAR+x}`.
 */
function interpolate(text: string, env: Record<string, string | undefined>): string {
  return text.replace(
    /\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g,
    (_match, dollar, braced, operator, argument, bare) => {
      if (dollar) return '$';
      const name = (braced ?? bare) as string;
      const value = env[name];
      const set = value !== undefined && (!operator?.startsWith(':') || value !== '');
      switch (operator?.replace(':', '')) {
        case '-':
          return set ? value! : interpolate(argument as string, env);
        case '?':
          if (!set) throw new MissingVariable(`required variable ${name} is missing a value: ${argument as string}`);
          return value!;
        case '+':
          return set ? interpolate(argument as string, env) : '';
        default:
          return value ?? '';
      }
    },
  );
}

function interpolateAll(node: unknown, env: Record<string, string | undefined>): unknown {
  if (typeof node === 'string') return interpolate(node, env);
  if (Array.isArray(node)) return node.map((item) => interpolateAll(item, env));
  if (node !== null && typeof node === 'object')
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, interpolateAll(value, env)]));
  return node;
}

const RAW = parse(SOURCE, { merge: true }) as Compose;

/** Sample values, as an operator's .env would give them. */
const SAMPLE_ENV = {
  CHATHOOK_ADMIN_KEY: 'sample-admin-key-0123456789',
  CHATHOOK_ENCRYPTION_KEY: 'a'.repeat(64),
  METRICS_TOKEN: 'sample-metrics-token-0123456789',
  MONGO_PASSWORD: 'sample-mongo-password',
  TEMPORAL_DB_PASSWORD: 'sample-postgres-password',
};
const REQUIRED = Object.keys(SAMPLE_ENV);
const config = (env: Record<string, string | undefined>) => interpolateAll(RAW, env) as Compose;
const compose = config(SAMPLE_ENV);

/** A port entry as `{hostIp, published, target}` (short `[IP:]HOST:CONTAINER[/proto]` or long syntax). */
function publishedPort(port: Port): { hostIp: string | undefined; published: string | undefined; target: string } {
  if (typeof port === 'object')
    return { hostIp: port.host_ip, published: port.published?.toString(), target: String(port.target) };
  const parts = String(port)
    .replace(/\/(tcp|udp)$/, '')
    .split(':');
  const target = parts.pop()!;
  const published = parts.pop();
  return { hostIp: parts.length > 0 ? parts.join(':') : undefined, published, target };
}

describe('docker-compose.yml', () => {
  it('runs Temporal on PostgreSQL with its UI, MongoDB, the API and workers', () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      'api',
      'mongodb',
      'postgresql',
      'temporal',
      'temporal-ui',
      'worker',
    ]);
    expect(compose.services.temporal!.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql' });
    expect(compose.services['temporal-ui']!.environment).toMatchObject({ TEMPORAL_ADDRESS: 'temporal:7233' });
  });

  it('publishes only the API beyond the host: Temporal and its UI on 127.0.0.1, the databases nowhere', () => {
    const published = Object.fromEntries(
      Object.entries(compose.services).map(([name, service]) => [name, (service.ports ?? []).map(publishedPort)]),
    );
    expect(published.api).toEqual([{ hostIp: undefined, published: '3000', target: '3000' }]);
    expect(published.temporal).toEqual([{ hostIp: '127.0.0.1', published: '7233', target: '7233' }]);
    expect(published['temporal-ui']).toEqual([{ hostIp: '127.0.0.1', published: '8233', target: '8080' }]);
    for (const name of ['mongodb', 'postgresql', 'worker']) expect(published[name], name).toEqual([]);
    // Whatever is added later: every published port but the API's binds to loopback.
    for (const [name, ports] of Object.entries(published)) {
      if (name !== 'api')
        for (const port of ports) expect(port.hostIp, `${name} ${JSON.stringify(port)}`).toBe('127.0.0.1');
    }
    for (const service of Object.values(compose.services)) expect(service).not.toHaveProperty('network_mode');
  });

  it('pins every image to a full version (no latest, no floating major or minor)', () => {
    const images = Object.values(compose.services).flatMap((service) => (service.image ? [service.image] : []));
    expect(images.sort()).toEqual([
      'mongo:7.0.14',
      'postgres:16.4',
      'temporalio/auto-setup:1.27.2',
      'temporalio/ui:2.31.2',
    ]);
    // A release, never a line that moves: PostgreSQL numbers its releases MAJOR.MINOR, the others MAJOR.MINOR.PATCH.
    for (const image of images)
      expect(image).toMatch(image.startsWith('postgres:') ? /^postgres:\d+\.\d+$/ : /^[a-z0-9/_.-]+:\d+\.\d+\.\d+$/);
    const bases = [...readFileSync(new URL('Dockerfile', ROOT), 'utf8').matchAll(/^FROM (\S+)/gm)].map(
      (match) => match[1],
    );
    expect(bases).toEqual(['node:20.19.5-bookworm-slim', 'node:20.19.5-bookworm-slim']);
  });

  it('runs MongoDB with authentication, and the app logs in with the same credentials', () => {
    expect(compose.services.mongodb!.environment).toEqual({
      MONGO_INITDB_ROOT_USERNAME: 'chathook',
      MONGO_INITDB_ROOT_PASSWORD: SAMPLE_ENV.MONGO_PASSWORD,
    });
    for (const name of ['api', 'worker']) {
      const uri = new URL(compose.services[name]!.environment!.MONGODB_URI!);
      expect(uri.protocol).toBe('mongodb:');
      expect({
        username: uri.username,
        password: uri.password,
        host: uri.host,
        authSource: uri.searchParams.get('authSource'),
      }).toEqual({
        username: 'chathook',
        password: SAMPLE_ENV.MONGO_PASSWORD,
        host: 'mongodb:27017',
        authSource: 'admin',
      });
    }
    const renamed = config({ ...SAMPLE_ENV, MONGO_USERNAME: 'ops' });
    expect(renamed.services.mongodb!.environment!.MONGO_INITDB_ROOT_USERNAME).toBe('ops');
    expect(new URL(renamed.services.api!.environment!.MONGODB_URI!).username).toBe('ops');
  });

  it('commits no secret: each one is a required variable, and compose stops naming the one missing', () => {
    const raw = RAW.services;
    const secrets = [
      raw.postgresql!.environment!.POSTGRES_PASSWORD,
      raw.temporal!.environment!.POSTGRES_PWD,
      raw.mongodb!.environment!.MONGO_INITDB_ROOT_PASSWORD,
      raw.api!.environment!.CHATHOOK_ADMIN_KEY,
      raw.api!.environment!.CHATHOOK_ENCRYPTION_KEY,
      raw.api!.environment!.METRICS_TOKEN,
    ];
    for (const value of secrets) expect(value).toMatch(/^\$\{[A-Z_]+:\?[^}]+\}$/);
    for (const name of REQUIRED) {
      expect(() => config({ ...SAMPLE_ENV, [name]: undefined }), name).toThrow(
        new MissingVariable(`required variable ${name} is missing a value: set ${name}`),
      );
      expect(() => config({ ...SAMPLE_ENV, [name]: '' }), `${name} empty`).toThrow(MissingVariable);
    }
  });

  it('starts the production entry points with settings the app accepts, the API with METRICS_TOKEN', () => {
    for (const name of ['api', 'worker'] as const) {
      const service = compose.services[name]!;
      expect(service.build).toBe('.');
      const entry = service.command!.find((part) => part.startsWith('src/bin/'))!;
      expect(entry).toBe(`src/bin/${name}-main.ts`);
      expect(existsSync(new URL(entry, ROOT)), entry).toBe(true);
      expect(Object.keys(service.depends_on!)).toEqual(['temporal', 'mongodb']);
      const parsed = parseConfig(service.environment!);
      expect(parsed).toMatchObject({
        adminKey: SAMPLE_ENV.CHATHOOK_ADMIN_KEY,
        temporal: { address: 'temporal:7233' },
        webhookAllowPrivate: false,
      });
      expect(parsed.encryptionKey).toHaveLength(32);
      expect(parsed.metricsToken).toBe(name === 'api' ? SAMPLE_ENV.METRICS_TOKEN : undefined);
    }
    // The image holds what the commands name.
    const dockerfile = readFileSync(new URL('Dockerfile', ROOT), 'utf8');
    expect(dockerfile).toMatch(/^COPY src \.\/src$/m);
  });
});
