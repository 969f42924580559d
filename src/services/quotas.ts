/**
 * Per-tenant quotas (issue "One tenant cannot slow another"): each is checked here, in one place,
 * before the write that would go past it. The limit is the operator's override stored on the
 * tenant (PUT /v1/tenants/{id}/quotas), else the QUOTA_* default from the configuration.
 *
 * A count and an insert are two calls: two creates racing at the limit may both pass, so a
 * tenant can go past a quota by the number of its concurrent creates. Quotas bound what one
 * tenant can make the store and the workers carry; they are not an exact accounting.
 */
import type { TenantRepository } from '../db/tenants.js';
import type { QuotaName, Quotas } from '../platform/config.js';
import { AppError, ErrorCode, notFound } from './errors.js';

export interface QuotaDeps {
  /** The QUOTA_* defaults. */
  quotas: Quotas;
  tenants: Pick<TenantRepository, 'quotaOverridesOf'>;
}

/** The limits that apply to one tenant: its overrides over the defaults. */
export async function quotasOf(deps: QuotaDeps, input: { tenantId: string }): Promise<Quotas> {
  return { ...deps.quotas, ...(await deps.tenants.quotaOverridesOf(input.tenantId)) };
}

const exceeded = (quota: QuotaName, limit: number) =>
  new AppError({
    code: ErrorCode.QUOTA_EXCEEDED,
    message: `The tenant's ${quota} quota is ${limit}; delete some or ask the operator to raise it`,
    details: { quota, limit },
  });

/**
 * Refuses a create that would take the tenant past `quota`: `used` counts what it holds now and
 * `adding` what the write adds (1 for a create, the number of senders of a connection).
 */
export async function checkQuota(
  deps: QuotaDeps,
  input: { tenantId: string; quota: QuotaName; adding?: number; used: () => Promise<number> },
): Promise<void> {
  const limit = (await quotasOf(deps, input))[input.quota];
  const adding = input.adding ?? 1;
  if (adding > limit) throw exceeded(input.quota, limit);
  // A per-object quota (senders per connection) has no count: `used` answers 0.
  if ((await input.used()) + adding > limit) throw exceeded(input.quota, limit);
}

/** Senders of one connection: a limit on the connection's size, not a count of stored rows. */
export async function checkSendersPerConnection(
  deps: QuotaDeps,
  input: { tenantId: string; senders: number },
): Promise<void> {
  await checkQuota(deps, {
    tenantId: input.tenantId,
    quota: 'sendersPerConnection',
    adding: input.senders,
    used: () => Promise.resolve(0),
  });
}

export interface QuotaOverrideDeps {
  quotas: Quotas;
  tenants: Pick<TenantRepository, 'quotaOverridesOf' | 'setQuotaOverrides'>;
}

/** The operator replaces a tenant's overrides (root key); the answer is the limits that now apply. */
export async function setTenantQuotas(
  deps: QuotaOverrideDeps,
  input: { tenantId: string; quotas: Partial<Quotas> },
): Promise<Quotas> {
  if (!(await deps.tenants.setQuotaOverrides(input.tenantId, input.quotas))) throw notFound('Tenant');
  return quotasOf(deps, input);
}

/** The limits that apply to a tenant (root key). */
export async function findTenantQuotas(
  deps: QuotaOverrideDeps & { tenants: Pick<TenantRepository, 'exists'> },
  input: { tenantId: string },
): Promise<Quotas> {
  if (!(await deps.tenants.exists(input.tenantId))) throw notFound('Tenant');
  return quotasOf(deps, input);
}
