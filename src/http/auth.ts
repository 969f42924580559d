import type { RequestHandler } from 'express';
import { AppError, ErrorCode, unauthorized } from '../services/errors.js';
import { tenantOfApiKey, type TenantDeps } from '../services/tenants.js';
import { constantTimeEquals } from '../platform/secrets.js';

declare module 'express-serve-static-core' {
  interface Request {
    tenantId?: string;
  }
}

export function bearerTokenOf(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

export function requireTenant(deps: TenantDeps): RequestHandler {
  return async (req, _res, next) => {
    const token = bearerTokenOf(req.headers.authorization);
    if (!token || token.length > 512) throw unauthorized();
    const tenantId = await tenantOfApiKey(deps, { apiKey: token });
    if (!tenantId) throw unauthorized();
    req.tenantId = tenantId;
    next();
  };
}

export function requireAdmin(adminKey: string | undefined): RequestHandler {
  return (req, _res, next) => {
    const token = bearerTokenOf(req.headers.authorization);
    if (!adminKey)
      throw new AppError({ code: ErrorCode.ADMIN_DISABLED, message: 'No CHATHOOK_ADMIN_KEY is configured' });
    if (!token || !constantTimeEquals(token, adminKey)) throw unauthorized('Missing or unknown root key');
    next();
  };
}

/**
 * `/metrics` with METRICS_TOKEN set: the Bearer token must match (compared in constant time).
 * Unset, no guard runs and the route answers loopback clients only (health-router.ts); it is then
 * published without a security requirement.
 */
export function requireMetricsToken(metricsToken: string | undefined): RequestHandler {
  return (req, _res, next) => {
    if (metricsToken !== undefined) {
      const token = bearerTokenOf(req.headers.authorization);
      if (!token || !constantTimeEquals(token, metricsToken)) throw unauthorized('Missing or wrong metrics token');
    }
    next();
  };
}

export function tenantIdOf(req: { tenantId?: string }): string {
  if (!req.tenantId) throw unauthorized();
  return req.tenantId;
}
