/** Replies the sandbox carrier "sent": recorded instead of sent, so a tenant can see them without a carrier. */
import type { Page, PageQuery } from '../db/pagination.js';
import type { OutboundMessageDoc, ReplyRepository } from '../db/replies.js';

export function listSandboxMessages(
  deps: { replies: ReplyRepository },
  input: { tenantId: string; query: PageQuery },
): Promise<Page<OutboundMessageDoc>> {
  return deps.replies.listSandbox(input.tenantId, input.query);
}
