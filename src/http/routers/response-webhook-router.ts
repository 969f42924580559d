import { z } from 'zod';
import { ErrorCode } from '../../domain/error-catalogue.js';
import { MT_ACCEPTED_MEANING, MT_REFUSALS, MtEventSchema } from '../../domain/mt-event.js';
import { postReplyEvent, type ReplyRoutingDeps } from '../../services/reply-routing.js';
import { bearerTokenOf } from '../auth.js';
import { statusOf } from '../error-statuses.js';
import { MtAcceptedSchema, type ApiDetails, type MtAccepted } from '../response-schemas.js';
import { errorReply, json, type ApiRoutes } from '../route.js';

const EventParams = z.object({
  integrationId: z.string().describe('the integration id'),
  chatIdentifier: z.string().describe("the contact's phone number"),
});

/** Every status the response webhook answers, as API Details lists it: each error's from its code. */
export const MT_DOCUMENTED_RESPONSES: ApiDetails['responses'] = [
  { status: 202, code: null, meaning: MT_ACCEPTED_MEANING },
  ...MT_REFUSALS.map(({ code, meaning }) => ({ status: statusOf(code), code, meaning })),
].sort((a, b) => a.status - b.status);

/** The errors of API Details, plus two the document names beside them (Idempotency-Key rules). */
const MT_ERRORS = [
  ...MT_REFUSALS.map(({ code, meaning }) => errorReply(code, meaning)),
  errorReply(ErrorCode.VALIDATION_ERROR, 'an Idempotency-Key that is empty or over 255 characters.'),
  errorReply(ErrorCode.IDEMPOTENCY_KEY_REUSED, 'this Idempotency-Key was used for a different request.'),
];

/** The response webhook: the client's system posts replies (MT) and END into a chat. */
export function responseWebhookRoutes(api: ApiRoutes, deps: ReplyRoutingDeps): void {
  api.route(
    {
      method: 'post',
      path: '/integrations/live-chat/:integrationId/chats/:chatIdentifier/events',
      tag: 'Response webhook',
      summary: 'Post a reply (MT) or END into a chat the contact started',
      description:
        'An `Idempotency-Key` header (1–255 characters) makes a repeat of the same request get the first answer.',
      auth: 'responseToken',
      params: EventParams,
      body: MtEventSchema,
      responses: { 202: json(MtAcceptedSchema, MT_ACCEPTED_MEANING) },
      errors: MT_ERRORS,
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
