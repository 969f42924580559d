import type { Models } from '../db/models.js';
import { generateApiKey, hashToken } from '../platform/secrets.js';

export interface CreatedTenant {
  id: string;
  name: string;
  /** Shown only here: the tenant's key is stored as a hash. */
  apiKey: string;
}

export async function createTenant(models: Models, name: string): Promise<CreatedTenant> {
  const apiKey = generateApiKey();
  const tenant = await models.Tenant.create({ name, apiKeyHash: hashToken(apiKey) });
  return { id: tenant._id.toHexString(), name: tenant.name, apiKey };
}
