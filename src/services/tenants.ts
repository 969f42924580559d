import type { TenantRepository } from '../db/tenants.js';
import { generateApiKey, hashToken } from '../platform/secrets.js';

export interface TenantDeps {
  tenants: TenantRepository;
}

export interface CreatedTenant {
  id: string;
  name: string;
  /** Shown only here: the tenant's key is stored as a hash. */
  apiKey: string;
}

export async function createTenant(deps: TenantDeps, input: { name: string }): Promise<CreatedTenant> {
  const apiKey = generateApiKey();
  const tenant = await deps.tenants.insert({ name: input.name, apiKeyHash: hashToken(apiKey) });
  return { id: tenant._id.toHexString(), name: tenant.name, apiKey };
}

/** The id of the tenant this API key belongs to, or null. */
export function tenantOfApiKey(deps: TenantDeps, input: { apiKey: string }): Promise<string | null> {
  return deps.tenants.idOfApiKeyHash(hashToken(input.apiKey));
}
