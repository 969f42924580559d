/**
 * Replies (MT) and END posted to the response webhook (SPEC section 5). Every rule that decides
 * whether a reply is taken is listed here, in the order it is checked:
 *
 * 1. the response token names an integration (401), and it is the one in the path (403);
 * 2. the integration is ACTIVE (409 INTEGRATION_INACTIVE);
 * 3. the contact has a chat: a contact that is not a phone number has none (404 CHAT_NOT_FOUND);
 * 4. the route/connection or WhatsApp sender is claimed for this integration (422 UNKNOWN_SENDER);
 * 5. the chat decides what only it knows, synchronously, in its update validator, and fails with
 *    a contract failure type mapped by `CHAT_REFUSALS`: the chat is closed or gone (404
 *    CHAT_NOT_FOUND), the reply's channel is not the chat's (422 UNKNOWN_SENDER), the WhatsApp
 *    window is over (409 WINDOW_CLOSED), too many replies wait for the carrier (429 CHAT_BACKLOG,
 *    with Retry-After); a chat that does not answer in time is a 503 CHAT_UNAVAILABLE.
 *
 * With an Idempotency-Key, the chat's answer (5) is stored and given again to a repeat of the
 * same request; the same key with another request is a 422. A 429 or 503 is not an answer of the
 * chat's: it is not stored, so the repeat is asked again.
 */
import { createHash } from 'node:crypto';
import type { IdempotencyRecordDoc, IdempotencyRepository } from '../db/idempotency-records.js';
import type { IntegrationDoc, IntegrationRepository } from '../db/integrations.js';
import type { MtEvent } from '../domain/mt-event.js';
import { hashToken } from '../platform/secrets.js';
import type { TemporalGateway } from '../temporal/gateway.js';
import type { ReplyAccepted, ReplyRequest } from '../../workflows/contract/chat-messages.js';
import { FailureType } from '../../workflows/contract/failures.js';
import { chatBacklog, chatUnavailable } from './chat-refusals.js';
import { AppError, conflict, unauthorized } from './errors.js';
import type { RouteCache } from '../platform/route-cache.js';
import { integrationClaimantOf, type ClaimantDeps } from './sender-claimants.js';

export interface ReplyRoutingDeps extends ClaimantDeps {
  integrations: IntegrationRepository;
  /** The first answer to each Idempotency-Key. */
  idempotency: IdempotencyRepository;
  gateway: TemporalGateway;
  /** Routing kept for ROUTE_CACHE_TTL (a cache of TTL 0 reads every time). */
  routes: RouteCache;
}

/** The integration a response token names (the token's hash is what is stored), through the route cache. */
export function integrationOfResponseToken(deps: Pick<ReplyRoutingDeps, 'integrations' | 'routes'>, input: { token: string }): Promise<IntegrationDoc | null | undefined> {
  const tokenHash = hashToken(input.token);
  return deps.routes.lookup(`response-token:${tokenHash}`, () => deps.integrations.findByResponseTokenHash(tokenHash));
}

export interface ReplyPost {
  /** The integration the path names. */
  integrationId: string;
  /** The bearer token sent, if any. */
  responseToken: string | undefined;
  /** The chat identifier: the contact's phone number. */
  contact: string;
  event: MtEvent;
  idempotencyKey: string | undefined;
}

/** The chat's refusals, by the failure type its validator throws: status, and the code the client reads. */
const CHAT_REFUSALS: Partial<Record<FailureType, number>> = {
  [FailureType.CHAT_NOT_FOUND]: 404,
  [FailureType.WINDOW_CLOSED]: 409,
  [FailureType.UNKNOWN_SENDER]: 422,
};

const MAX_TOKEN_LENGTH = 512;
const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

const chatNotFound = (contact: string) =>
  new AppError(404, 'CHAT_NOT_FOUND', `No open chat with ${contact}: the contact must write in first`);
const unknownSender = (message: string) => new AppError(422, 'UNKNOWN_SENDER', message);

/** The integration whose response token this is: another integration's token is a 403. */
async function authenticatedIntegrationOf(deps: ReplyRoutingDeps, token: string | undefined, integrationId: string): Promise<IntegrationDoc> {
  if (!token || token.length > MAX_TOKEN_LENGTH) throw unauthorized('Missing or unknown response token');
  const integration = await integrationOfResponseToken(deps, { token });
  if (!integration) throw unauthorized('Missing or unknown response token');
  if (integration._id.toHexString() !== integrationId) {
    throw new AppError(403, 'FORBIDDEN', 'This response token belongs to another integration');
  }
  return integration;
}

/** Rule 4: the sender the reply goes out from, and the connection that carries it. */
async function replyRequestOf(deps: ReplyRoutingDeps, integration: IntegrationDoc, event: MtEvent): Promise<ReplyRequest> {
  if (event.type === 'END') return { type: 'END' };
  const channel = event.channel;
  const from = channel.type === 'SMS' ? channel.route : channel.sender;
  const describe = channel.type === 'SMS' ? `route ${from} on connection ${channel.connection}` : `WhatsApp sender ${from}`;
  const claimant = await deps.routes.lookup(`reply-claimant:${integration._id.toHexString()}:${channel.type}:${from}`, () =>
    integrationClaimantOf(deps, { integration, channel: channel.type, sender: from }),
  );
  if (!claimant) throw unknownSender(`${describe} is not an active connection of this integration`);
  // A campaign's claim names no connection: an SMS reply names it, a WhatsApp reply goes out
  // through the connection the contact wrote to (empty code).
  const connectionCode =
    claimant.claim.holderKind === 'INTEGRATION' ? claimant.claim.connectionCode : channel.type === 'SMS' ? channel.connection : '';
  if (connectionCode === undefined || connectionCode === null) throw unknownSender(`${describe} is not an active connection of this integration`);
  if (channel.type === 'SMS' && connectionCode !== channel.connection) {
    throw unknownSender(`${describe}: route ${from} is not a sender of connection ${channel.connection}`);
  }
  return { type: 'MESSAGE', channel: channel.type, connectionCode, from, text: event.msg };
}

/** What the chat answered: the reply taken, or refused with an error the client reads. */
type ChatAnswer = { accepted: ReplyAccepted } | { refused: AppError };

/**
 * Rule 5: asks the chat. A backlog (429), Temporal not answering in time, or a refusal the
 * contract does not list (503) are thrown: they say "later", not what the chat decided.
 */
async function askChat(deps: ReplyRoutingDeps, integration: IntegrationDoc, contact: string, request: ReplyRequest, updateId: string | undefined): Promise<ChatAnswer> {
  const outcome = await deps.gateway.sendReply(integration._id.toHexString(), contact, request, updateId);
  if ('accepted' in outcome) return { accepted: { eventId: outcome.accepted.eventId, chatId: outcome.accepted.chatId } };
  if ('noChat' in outcome) return { refused: chatNotFound(contact) };
  if ('unavailable' in outcome) throw chatUnavailable('The chat could not take the event; retry');
  if (outcome.rejected.type === FailureType.CHAT_BACKLOG) throw chatBacklog(outcome.rejected.message);
  const status = CHAT_REFUSALS[outcome.rejected.type as FailureType];
  if (status === undefined) throw chatUnavailable('The chat could not take the event; retry');
  return { refused: new AppError(status, outcome.rejected.type, outcome.rejected.message) };
}

function settle(answer: ChatAnswer): ReplyAccepted {
  if ('refused' in answer) throw answer.refused;
  return answer.accepted;
}

/** The answer as stored for its Idempotency-Key: the HTTP status and body the client was given. */
function storedAnswerOf(answer: ChatAnswer): { status: number; body: Record<string, unknown> } {
  if ('accepted' in answer) return { status: 202, body: { ...answer.accepted } };
  const { status, code, message, details } = answer.refused;
  return { status, body: { error: { code, message, ...details } } };
}

function answerOfStored(record: IdempotencyRecordDoc): ChatAnswer {
  if (record.status === 202) return { accepted: record.body as unknown as ReplyAccepted };
  const { error, ...siblings } = record.body as { error: { code: string; message: string } & Record<string, unknown> };
  const { code, message, ...details } = error;
  return { refused: new AppError(record.status, code, message, details, siblings) };
}

/** Takes a reply or END into the contact's chat, or throws the AppError that says why not. */
export async function postReplyEvent(deps: ReplyRoutingDeps, post: ReplyPost): Promise<ReplyAccepted> {
  const { contact, event, idempotencyKey: key } = post;
  const integration = await authenticatedIntegrationOf(deps, post.responseToken, post.integrationId);
  if (integration.status !== 'ACTIVE') throw conflict('INTEGRATION_INACTIVE', 'The integration is not active');
  if (!/^\d{5,15}$/.test(contact)) throw chatNotFound(contact);
  if (key === undefined) return settle(await askChat(deps, integration, contact, await replyRequestOf(deps, integration, event), undefined));

  if (key.length < 1 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw new AppError(400, 'VALIDATION_ERROR', `Idempotency-Key must be 1–${MAX_IDEMPOTENCY_KEY_LENGTH} characters`);
  }
  const requestHash = createHash('sha256').update(JSON.stringify({ contact, event })).digest('hex');
  const stored = async () => {
    const record = await deps.idempotency.find(integration._id, key);
    if (record && record.requestHash !== requestHash) {
      throw new AppError(422, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used for a different request');
    }
    return record ? answerOfStored(record) : undefined;
  };
  const earlier = await stored();
  if (earlier) return settle(earlier);
  // The update id makes Temporal itself ignore a second send of the same key within the chat run.
  const updateId = `mt-${integration._id.toHexString()}-${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
  const answer = await askChat(deps, integration, contact, await replyRequestOf(deps, integration, event), updateId);
  if (await deps.idempotency.insert({ integrationId: integration._id, key, requestHash, ...storedAnswerOf(answer), createdAt: new Date() })) return settle(answer);
  // A concurrent request with the same key stored its answer first: both give that one.
  const concurrent = await stored();
  if (!concurrent) throw new Error('the Idempotency-Key record that refused this answer is gone');
  return settle(concurrent);
}
