import { createTenant, type TenantDeps } from '../../services/tenants.js';
import { TenantCreatedSchema, type TenantCreated } from '../response-schemas.js';
import { ErrorCode } from '../../domain/error-catalogue.js';
import { errorReply, json, type ApiRoutes } from '../route.js';
import { TenantCreateSchema } from '../../domain/request-schemas.js';

export function tenantsRoutes(api: ApiRoutes, deps: TenantDeps): void {
  api.route(
    {
      method: 'post',
      path: '/v1/tenants',
      tag: 'Tenants',
      summary: 'Create a tenant (root key); the API key is shown once',
      auth: 'rootKey',
      body: TenantCreateSchema,
      responses: { 201: json(TenantCreatedSchema, 'created') },
      errors: [errorReply(ErrorCode.ADMIN_DISABLED, 'no root key configured')],
    },
    async ({ body, res }) => {
      res.status(201).json((await createTenant(deps, { name: body.name })) satisfies TenantCreated);
    },
  );
}
