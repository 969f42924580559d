import type { QuotaName } from '../platform/config.js';
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

    /** The operator's quota overrides of a tenant (an `_id` find); empty when none are set. */
    async quotaOverridesOf(id: string): Promise<Partial<Record<QuotaName, number>>> {
      const tenant = await models.Tenant.findOne({ _id: objectIdOrNull(id) }, { quotas: 1 }).lean();
      const stored = (tenant?.quotas ?? {}) as Partial<Record<QuotaName, number | null>>;
      return Object.fromEntries(Object.entries(stored).filter(([, value]) => typeof value === 'number'));
    },

    /** Replaces a tenant's overrides; false when there is no such tenant. */
    async setQuotaOverrides(id: string, quotas: Partial<Record<QuotaName, number>>): Promise<boolean> {
      const result = await models.Tenant.updateOne({ _id: objectIdOrNull(id) }, { $set: { quotas } });
      return result.matchedCount > 0;
    },

    /** A malformed id names no tenant. */
    async exists(id: string): Promise<boolean> {
      return Boolean(await models.Tenant.exists({ _id: objectIdOrNull(id) }));
    },
  };
}

export type TenantRepository = ReturnType<typeof createTenantRepository>;
