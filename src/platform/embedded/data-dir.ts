import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEncryptionKey } from '../config.js';

/**
 * The data directory is its user's alone: directories 0700, files 0600. From now on this process
 * and every server it spawns (Temporal's SQLite file and its WAL, FerretDB's SQLite files and
 * state, mongod's files, the logs) create files under umask 077, whatever mode the server asks
 * for (a child inherits the umask at spawn). What an older version left more open (a 0755
 * directory, a 0644 log or database) loses its group and other bits here, before any server starts;
 * symbolic links are left alone, and nothing outside the data directory is touched.
 */
export function makeDataDirPrivate(dataDir: string): void {
  process.umask(0o077);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const tighten = (path: string) => {
    const stat = lstatSync(path);
    if (stat.isDirectory()) {
      if ((stat.mode & 0o777) !== 0o700) chmodSync(path, 0o700);
      for (const name of readdirSync(path)) tighten(join(path, name));
    } else if (stat.isFile() && (stat.mode & 0o077) !== 0) {
      chmodSync(path, stat.mode & 0o700);
    }
  };
  tighten(dataDir);
}

export interface EmbeddedSecrets {
  adminKey: string;
  encryptionKey: Buffer;
}

/**
 * The embedded default generates its root key and encryption key once and keeps them in the
 * data directory (mode 0600), so data sealed in one run opens in the next.
 */
export function loadOrCreateEmbeddedSecrets(dataDir: string, given: Partial<EmbeddedSecrets>): EmbeddedSecrets {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, 'secrets.json');
  let stored: { adminKey?: string; encryptionKey?: string } = {};
  if (existsSync(file)) stored = JSON.parse(readFileSync(file, 'utf8')) as typeof stored;
  const next = {
    adminKey: stored.adminKey ?? `adm_${randomBytes(32).toString('base64url')}`,
    encryptionKey: stored.encryptionKey ?? randomBytes(32).toString('base64'),
  };
  if (next.adminKey !== stored.adminKey || next.encryptionKey !== stored.encryptionKey) {
    writeFileSync(file, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
  }
  return {
    adminKey: given.adminKey ?? next.adminKey,
    encryptionKey: given.encryptionKey ?? parseEncryptionKey(next.encryptionKey),
  };
}

export interface DevTenantFile {
  id: string;
  name: string;
  apiKey: string;
  /** The dev tenant's sandbox connection, made on first start, with its carrier secret (shown once). */
  sandbox?: { code: string; sender: string; carrierSecret: string };
}

export const devTenantFile = (dataDir: string) => join(dataDir, 'dev-tenant.json');

export function readDevTenant(dataDir: string): DevTenantFile | undefined {
  const file = devTenantFile(dataDir);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as DevTenantFile) : undefined;
}

export function writeDevTenant(dataDir: string, tenant: DevTenantFile): void {
  writeFileSync(devTenantFile(dataDir), `${JSON.stringify(tenant, null, 2)}\n`, { mode: 0o600 });
}
