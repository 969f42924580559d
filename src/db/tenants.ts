import type { Models } from './models.js';
import { objectIdOrNull } from './ids.js';
import type { TenantDoc } from './schemas/tenants.js';

export type { TenantDoc };

/** Tenants: found by the hash of their API key (the key itself is never stored). */
export function createTenantRepository(models: Pick<Models, 'Tenant'>) {
  return {
    async insert(tenant: { name: string; apiKeyHash: string }): Promise<TenantDoc> {
      return (await models.Tenant.create(tenant)).toObject();
    },

    /** The id of the tenant whose API key hashes to this, or null. */
    async idOfApiKeyHash(apiKeyHash: string): Promise<string | null> {
      const tenant = await models.Tenant.findOne({ apiKeyHash }, { _id: 1 }).lean();
      return tenant ? tenant._id.toHexString() : null;
    },

    /** A malformed id names no tenant. */
    async exists(id: string): Promise<boolean> {
      return Boolean(await models.Tenant.exists({ _id: objectIdOrNull(id) }));
    },
  };
}

export type TenantRepository = ReturnType<typeof createTenantRepository>;
