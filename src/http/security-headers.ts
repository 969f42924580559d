import helmet from 'helmet';
import type { RequestHandler } from 'express';

/**
 * The Content-Security-Policy of every answer (HTML and JSON alike). Everything the console
 * (`/console`, a Vite build: one module script and one stylesheet, no inline code) and the API
 * reference (`/docs`: Swagger UI's bundle, its stylesheet and `/docs/init.js`, no inline code
 * either) load comes from this origin, so one strict policy serves both pages and nothing needs a
 * nonce or a hash. Stricter than helmet's defaults where they allow more than the pages use:
 * - `style-src 'self'` (helmet: `'self' https: 'unsafe-inline'`): neither page has a `<style>` or
 *   a `style=` attribute; React and Swagger UI set styles through the CSSOM, which CSP allows;
 * - `font-src 'self' data:` (helmet adds `https:`): no font comes from elsewhere;
 * - `frame-ancestors 'none'` (helmet: `'self'`): no page of ours is meant to be framed, not even
 *   by another page of ours (clickjacking of the console's buttons);
 * - no `upgrade-insecure-requests`: every resource is same-origin, so over https it changes
 *   nothing, while over plain http (the embedded default on `localhost` or a LAN address) it
 *   would send the pages' own scripts to an https port nobody listens on.
 * `connect-src 'self'`: the console calls `/v1`, Swagger UI fetches `/openapi.json` (and
 * `init.js` turns off its validator badge, an image from validator.swagger.io).
 */
export const CONTENT_SECURITY_POLICY_DIRECTIVES: Readonly<Record<string, string[]>> = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'connect-src': ["'self'"],
  'font-src': ["'self'", 'data:'],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'img-src': ["'self'", 'data:'],
  'object-src': ["'none'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"],
};

/**
 * helmet with its defaults but for the policy above, `X-Frame-Options: DENY` (for browsers
 * without `frame-ancestors`), `Referrer-Policy: no-referrer` (helmet's default too, stated here)
 * and HSTS only when PUBLIC_BASE_URL is https: that is the operator saying TLS terminates in front
 * of the API. Over plain http browsers ignore HSTS anyway, but an https answer on `localhost`
 * (a dev proxy) would pin `localhost` and every subdomain to https for a year.
 */
export function securityHeaders(options: { publicBaseUrl: string | undefined }): RequestHandler {
  const https = options.publicBaseUrl?.startsWith('https://') ?? false;
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY_DIRECTIVES },
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });
}
