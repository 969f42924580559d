import { z } from 'zod';
import { MT_RESPONSES, MtEventSchema } from '../../domain/mt-event.js';
import { postReplyEvent, type ReplyRoutingDeps } from '../../services/reply-routing.js';
import { bearerTokenOf } from '../auth.js';
import { MtAcceptedSchema, type MtAccepted } from '../response-schemas.js';
import { json, problem, type ApiRoutes, type Reply } from '../route.js';
import { CHAT_BACKLOG_HEADERS } from './carriers-router.js';

const EventParams = z.object({
  integrationId: z.string().describe('the integration id'),
  chatIdentifier: z.string().describe("the contact's phone number"),
});

/** The statuses API Details lists (MT_RESPONSES), one entry per status, plus the API's own. */
function mtReplies(): Record<number, Reply> {
  const meanings = new Map<number, string[]>();
  for (const { status, code, meaning } of MT_RESPONSES) meanings.set(status, [...(meanings.get(status) ?? []), code ? `${code}: ${meaning}` : meaning]);
  meanings.get(400)?.push('VALIDATION_ERROR: an Idempotency-Key that is empty or over 255 characters.');
  meanings.get(422)?.push('IDEMPOTENCY_KEY_REUSED: this Idempotency-Key was used for a different request.');
  return Object.fromEntries(
    [...meanings].map(([status, lines]) => [
      status,
      status === 202 ? json(MtAcceptedSchema, lines.join(' ')) : problem(lines.join(' '), status === 429 ? CHAT_BACKLOG_HEADERS : undefined),
    ]),
  );
}

/** The response webhook: the client's system posts replies (MT) and END into a chat. */
export function responseWebhookRoutes(api: ApiRoutes, deps: ReplyRoutingDeps): void {
  api.route(
    {
      method: 'post',
      path: '/integrations/live-chat/:integrationId/chats/:chatIdentifier/events',
      tag: 'Response webhook',
      summary: 'Post a reply (MT) or END into a chat the contact started',
      description: 'An `Idempotency-Key` header (1–255 characters) makes a repeat of the same request get the first answer.',
      auth: 'responseToken',
      params: EventParams,
      body: MtEventSchema,
      responses: mtReplies(),
    },
    async ({ params, body, req, res }) => {
      const accepted = await postReplyEvent(deps, {
        integrationId: params.integrationId,
        responseToken: bearerTokenOf(req.headers.authorization),
        contact: params.chatIdentifier,
        event: body,
        idempotencyKey: req.get('idempotency-key'),
      });
      res.status(202).json({ eventId: accepted.eventId, chatId: accepted.chatId } satisfies MtAccepted);
    },
  );
}
