/**
 * Replies (MT) and END posted to the response webhook (SPEC section 5). Every rule that decides
 * whether a reply is taken is listed here, in the order it is checked:
 *
 * 1. the response token names an integration (UNAUTHORIZED), and it is the one in the path (FORBIDDEN);
 * 2. the integration is ACTIVE (INTEGRATION_INACTIVE);
 * 3. the contact has a chat: a contact that is not a phone number has none (CHAT_NOT_FOUND);
 * 4. the route/connection or WhatsApp sender is claimed for this integration (UNKNOWN_SENDER);
 * 5. the chat decides what only it knows, synchronously, in its update validator, and fails with
 *    a contract failure type mapped by `errorOfRefusal` (workflow-refusals.ts): the chat is closed or gone
 *    (CHAT_NOT_FOUND), the reply's channel is not the chat's (UNKNOWN_SENDER), the WhatsApp
 *    window is over (WINDOW_CLOSED), too many replies wait for the carrier (CHAT_BACKLOG, with
 *    Retry-After); a chat that does not answer in time is CHAT_UNAVAILABLE.
 *
 * With an Idempotency-Key, the chat's answer (5) is stored and given again to a repeat of the
 * same request; the same key with another request is IDEMPOTENCY_KEY_REUSED. A backlog or an
 * unavailable chat is not an answer of the chat's: it is not stored, so the repeat is asked again.
 */
import { RouteKeys } from '../db/route-keys.js';
import { createHash } from 'node:crypto';
import type { IdempotencyRecordDoc, IdempotencyRepository } from '../db/idempotency-records.js';
import type { IntegrationDoc, IntegrationRepository } from '../db/integrations.js';
import type { MtEvent } from '../domain/mt-event.js';
import { hashToken } from '../platform/secrets.js';
import type { TemporalGateway } from '../temporal/gateway.js';
import type { ReplyAccepted, ReplyRequest } from '../../workflows/contract/chat-messages.js';
import { chatUnavailable } from './chat-refusals.js';
import { isErrorCode } from '../domain/error-catalogue.js';
import { AppError, ErrorCode, unauthorized } from './errors.js';
import type { RouteCache } from '../platform/route-cache.js';
import { integrationClaimantOf, type ClaimantDeps } from './sender-claimants.js';
import { errorOfRefusal } from './workflow-refusals.js';

export interface ReplyRoutingDeps extends ClaimantDeps {
  integrations: IntegrationRepository;
  /** The first answer to each Idempotency-Key. */
  idempotency: IdempotencyRepository;
  gateway: TemporalGateway;
  /** Routing kept for ROUTE_CACHE_TTL (a cache of TTL 0 reads every time). */
  routeCache: RouteCache;
}

/** The integration a response token names (the token's hash is what is stored), through the route cache. */
export function integrationOfResponseToken(
  deps: Pick<ReplyRoutingDeps, 'integrations' | 'routeCache'>,
  input: { token: string },
): Promise<IntegrationDoc | null | undefined> {
  const tokenHash = hashToken(input.token);
  return deps.routeCache.lookup(RouteKeys.responseToken(tokenHash), () =>
    deps.integrations.findByResponseTokenHash(tokenHash),
  );
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

/** Errors that say "later", not what the chat decided: thrown, never stored for an Idempotency-Key. */
const LATER: ReadonlySet<ErrorCode> = new Set([ErrorCode.CHAT_BACKLOG, ErrorCode.CHAT_UNAVAILABLE]);

const MAX_TOKEN_LENGTH = 512;
const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

const chatNotFound = (contact: string) =>
  new AppError({
    code: ErrorCode.CHAT_NOT_FOUND,
    message: `No open chat with ${contact}: the contact must write in first`,
  });
const unknownSender = (message: string) => new AppError({ code: ErrorCode.UNKNOWN_SENDER, message });

/** The integration whose response token this is: another integration's token is a 403. */
async function authenticatedIntegrationOf(
  deps: ReplyRoutingDeps,
  token: string | undefined,
  integrationId: string,
): Promise<IntegrationDoc> {
  if (!token || token.length > MAX_TOKEN_LENGTH) throw unauthorized('Missing or unknown response token');
  const integration = await integrationOfResponseToken(deps, { token });
  if (!integration) throw unauthorized('Missing or unknown response token');
  if (integration._id.toHexString() !== integrationId) {
    throw new AppError({ code: ErrorCode.FORBIDDEN, message: 'This response token belongs to another integration' });
  }
  return integration;
}

/** Rule 4: the sender the reply goes out from, and the connection that carries it. */
async function replyRequestOf(
  deps: ReplyRoutingDeps,
  integration: IntegrationDoc,
  event: MtEvent,
): Promise<ReplyRequest> {
  if (event.type === 'END') return { type: 'END' };
  const channel = event.channel;
  const sender = channel.type === 'SMS' ? channel.route : channel.sender;
  const describe =
    channel.type === 'SMS' ? `route ${sender} on connection ${channel.connection}` : `WhatsApp sender ${sender}`;
  const claimant = await deps.routeCache.lookup(
    RouteKeys.integrationClaimant(integration._id.toHexString(), channel.type, sender),
    () => integrationClaimantOf(deps, { integration, channel: channel.type, sender }),
  );
  if (!claimant) throw unknownSender(`${describe} is not an active connection of this integration`);
  // A campaign's claim names no connection: an SMS reply names it, a WhatsApp reply goes out
  // through the connection the contact wrote to (empty code).
  const connectionCode =
    claimant.claim.holderKind === 'INTEGRATION'
      ? claimant.claim.connectionCode
      : channel.type === 'SMS'
        ? channel.connection
        : '';
  if (connectionCode === undefined || connectionCode === null)
    throw unknownSender(`${describe} is not an active connection of this integration`);
  if (channel.type === 'SMS' && connectionCode !== channel.connection) {
    throw unknownSender(`${describe}: route ${sender} is not a sender of connection ${channel.connection}`);
  }
  return { type: 'MESSAGE', channel: channel.type, connectionCode, from: sender, text: event.msg };
}

/** What the chat answered: the reply taken, or refused with an error the client reads. */
type ChatAnswer = { kind: 'ACCEPTED'; accepted: ReplyAccepted } | { kind: 'REFUSED'; error: AppError };

/**
 * Rule 5: asks the chat. A backlog, Temporal not answering in time, or a refusal the contract
 * does not list (CHAT_UNAVAILABLE) are thrown: they say "later", not what the chat decided.
 */
async function askChat(
  deps: ReplyRoutingDeps,
  integration: IntegrationDoc,
  contact: string,
  request: ReplyRequest,
  updateId: string | undefined,
): Promise<ChatAnswer> {
  const outcome = await deps.gateway.sendReply(integration._id.toHexString(), contact, request, updateId);
  const unavailable = () => chatUnavailable('The chat could not take the event; retry');
  switch (outcome.kind) {
    case 'ACCEPTED':
      return { kind: 'ACCEPTED', accepted: { eventId: outcome.accepted.eventId, chatId: outcome.accepted.chatId } };
    case 'NO_CHAT':
      return { kind: 'REFUSED', error: chatNotFound(contact) };
    case 'UNAVAILABLE':
      throw unavailable();
    case 'REJECTED': {
      const error = errorOfRefusal('reply', outcome.rejection, unavailable);
      if (LATER.has(error.code)) throw error;
      return { kind: 'REFUSED', error };
    }
  }
}

function settle(answer: ChatAnswer): ReplyAccepted {
  if (answer.kind === 'REFUSED') throw answer.error;
  return answer.accepted;
}

/**
 * The answer as stored for its Idempotency-Key: the body the client was given. A refusal's body
 * has an `error` member and an acceptance's has none; its status comes from its code again when
 * it is given (records written before also hold the status, which is no longer read).
 */
function storedAnswerOf(answer: ChatAnswer): { body: Record<string, unknown> } {
  if (answer.kind === 'ACCEPTED') return { body: { ...answer.accepted } };
  const { code, message, details } = answer.error;
  return { body: { error: { code, message, ...details } } };
}

function answerOfStored(record: IdempotencyRecordDoc): ChatAnswer {
  const { error, ...siblings } = record.body as {
    error?: { code: unknown; message: string } & Record<string, unknown>;
  };
  if (!error) return { kind: 'ACCEPTED', accepted: record.body as unknown as ReplyAccepted };
  const { code, message, ...details } = error;
  if (!isErrorCode(code))
    throw new Error(`the stored answer of an Idempotency-Key has an unknown error code ${String(code)}`);
  return { kind: 'REFUSED', error: new AppError({ code, message, details, siblings }) };
}

/** Takes a reply or END into the contact's chat, or throws the AppError that says why not. */
export async function postReplyEvent(deps: ReplyRoutingDeps, post: ReplyPost): Promise<ReplyAccepted> {
  const { contact, event, idempotencyKey: key } = post;
  const integration = await authenticatedIntegrationOf(deps, post.responseToken, post.integrationId);
  if (integration.status !== 'ACTIVE')
    throw new AppError({ code: ErrorCode.INTEGRATION_INACTIVE, message: 'The integration is not active' });
  if (!/^\d{5,15}$/.test(contact)) throw chatNotFound(contact);
  if (key === undefined)
    return settle(await askChat(deps, integration, contact, await replyRequestOf(deps, integration, event), undefined));

  if (key.length < 1 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw new AppError({
      code: ErrorCode.VALIDATION_ERROR,
      message: `Idempotency-Key must be 1–${MAX_IDEMPOTENCY_KEY_LENGTH} characters`,
    });
  }
  const requestHash = createHash('sha256').update(JSON.stringify({ contact, event })).digest('hex');
  const stored = async () => {
    const record = await deps.idempotency.find(integration._id, key);
    if (record && record.requestHash !== requestHash) {
      throw new AppError({
        code: ErrorCode.IDEMPOTENCY_KEY_REUSED,
        message: 'This Idempotency-Key was used for a different request',
      });
    }
    return record ? answerOfStored(record) : undefined;
  };
  const earlier = await stored();
  if (earlier) return settle(earlier);
  // The update id makes Temporal itself ignore a second send of the same key within the chat run.
  const updateId = `mt-${integration._id.toHexString()}-${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
  const answer = await askChat(deps, integration, contact, await replyRequestOf(deps, integration, event), updateId);
  if (
    await deps.idempotency.insert({
      integrationId: integration._id,
      key,
      requestHash,
      ...storedAnswerOf(answer),
      createdAt: new Date(),
    })
  )
    return settle(answer);
  // A concurrent request with the same key stored its answer first: both give that one.
  const concurrent = await stored();
  if (!concurrent) throw new Error('the Idempotency-Key record that refused this answer is gone');
  return settle(concurrent);
}
