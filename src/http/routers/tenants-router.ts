import { z } from 'zod';
import { createTenant, type TenantDeps } from '../../services/tenants.js';
import { findTenantQuotas, setTenantQuotas, type QuotaOverrideDeps } from '../../services/quotas.js';
import { QuotasSchema, TenantCreatedSchema, type QuotasReply, type TenantCreated } from '../response-schemas.js';
import { ErrorCode } from '../../domain/error-catalogue.js';
import { validationError } from '../../services/errors.js';
import { errorReply, json, type ApiRoutes } from '../route.js';
import { TenantCreateSchema, TenantQuotasSchema } from '../../domain/request-schemas.js';

const TenantParams = z.object({ tenantId: z.string().describe('the tenant id') });
const adminDisabled = errorReply(ErrorCode.ADMIN_DISABLED, 'no root key configured');
const tenantNotFound = errorReply(ErrorCode.NOT_FOUND, 'no such tenant');

export function tenantsRoutes(api: ApiRoutes, deps: TenantDeps & QuotaOverrideDeps): void {
  api.route(
    {
      method: 'post',
      path: '/v1/tenants',
      tag: 'Tenants',
      summary: 'Create a tenant (root key); the API key is shown once',
      auth: 'rootKey',
      body: TenantCreateSchema,
      responses: { 201: json(TenantCreatedSchema, 'created') },
      errors: [adminDisabled],
    },
    async ({ body, res }) => {
      res.status(201).json((await createTenant(deps, { name: body.name })) satisfies TenantCreated);
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/tenants/:tenantId/quotas',
      tag: 'Tenants',
      summary: "A tenant's quotas (root key): its overrides over the QUOTA_* defaults",
      auth: 'rootKey',
      params: TenantParams,
      responses: { 200: json(QuotasSchema, 'the limits that apply to the tenant') },
      errors: [adminDisabled, tenantNotFound],
    },
    async ({ params, res }) => {
      res.json((await findTenantQuotas(deps, { tenantId: params.tenantId })) satisfies QuotasReply);
    },
  );

  api.route(
    {
      method: 'put',
      path: '/v1/tenants/:tenantId/quotas',
      tag: 'Tenants',
      summary: "Override a tenant's quotas (root key); a quota left out takes its QUOTA_* default",
      auth: 'rootKey',
      params: TenantParams,
      body: TenantQuotasSchema,
      responses: { 200: json(QuotasSchema, 'the limits that now apply to the tenant') },
      errors: [adminDisabled, tenantNotFound],
    },
    async ({ params, body, req, res }) => {
      // Every quota is optional, so `{}` resets them all: only a body that says so does.
      if (req.body === undefined) throw validationError([{ path: '', message: 'a JSON object is required' }]);
      const quotas = Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));
      res.json((await setTenantQuotas(deps, { tenantId: params.tenantId, quotas })) satisfies QuotasReply);
    },
  );
}
