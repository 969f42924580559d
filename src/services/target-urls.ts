import { literalTargetRefusal } from '../platform/outbound-http.js';
import { validationError } from './errors.js';

/**
 * SPEC section 4: webhook and carrier targets on loopback, private, link-local or metadata
 * addresses are refused unless WEBHOOK_ALLOW_PRIVATE=true. A URL whose host is such an address
 * written out (or `localhost`) is refused when it is configured, a VALIDATION_ERROR naming the field, so the
 * mistake shows at once instead of as failed deliveries. A name is not resolved here: DNS may
 * answer differently at delivery, so the outbound dispatcher vets every connection it opens.
 */
export function refusePrivateTarget(url: string, path: string, allowPrivate: boolean): void {
  if (allowPrivate) return;
  const refused = literalTargetRefusal(url);
  if (refused !== undefined) {
    throw validationError([
      { path, message: `the host ${refused} is not a public address (allowed only with WEBHOOK_ALLOW_PRIVATE=true)` },
    ]);
  }
}
