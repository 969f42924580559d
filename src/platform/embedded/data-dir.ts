import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEncryptionKey } from '../config.js';

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
