import { Router } from 'express';
import type { Models } from '../../db/models.js';
import { generateApiKey, hashToken } from '../../platform/secrets.js';
import { requireAdmin } from '../auth.js';
import { TenantCreateSchema } from '../schemas.js';
import { parseInput } from '../validation.js';

export async function createTenant(models: Models, name: string) {
  const apiKey = generateApiKey();
  const tenant = await models.Tenant.create({ name, apiKeyHash: hashToken(apiKey) });
  return { id: tenant._id.toHexString(), name: tenant.name, apiKey };
}

export function tenantsRouter(models: Models, adminKey: string | undefined): Router {
  const router = Router();
  router.post('/v1/tenants', requireAdmin(adminKey), async (req, res) => {
    const input = parseInput(TenantCreateSchema, req.body);
    res.status(201).json(await createTenant(models, input.name));
  });
  return router;
}
