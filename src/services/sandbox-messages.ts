/** Replies the sandbox carrier "sent": recorded instead of sent, so a tenant can see them without a carrier. */
import type { Models, OutboundMessageDoc } from '../db/models.js';
import { listPage, type Page } from '../db/pagination.js';

export function listSandboxMessages<T>(models: Models, tenantId: string, query: { limit: number; cursor?: string | undefined }, present: (doc: OutboundMessageDoc) => T): Promise<Page<T>> {
  return listPage(query, (range, limit) => models.OutboundMessage.find({ tenantId, carrierType: 'sandbox', ...range }).sort({ _id: 1 }).limit(limit).lean(), present);
}
