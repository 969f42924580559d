/**
 * MT routing (src/services/reply-routing.ts) called directly, with what the response webhook
 * router hands it: the app's repositories and route cache, and the gateway to the run's Temporal
 * server, whose worker runs the chats. The data is made through the API; a chat is opened by its
 * contact's inbound message, as a carrier posts it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MtEvent } from '../../../src/domain/mt-event.js';
import { AppError, ErrorCode } from '../../../src/services/errors.js';
import { postReplyEvent, type ReplyPost, type ReplyRoutingDeps } from '../../../src/services/reply-routing.js';
import { startTestApp, type ApiClient, type ProvisionedConnection, type TestApp } from '../../support/harness.js';
import { carrierOf, createConnection, createIntegration, uniqueSender } from '../../support/fixtures.js';

let app: TestApp;
let deps: ReplyRoutingDeps;
let acme: { id: string; client: ApiClient };
let sender: string;
let connection: ProvisionedConnection;
/** ACTIVE, on MT-ROUTED. */
let orders: { id: string; responseToken: string };
/** Created on no connection and never started: INACTIVE. */
let dormant: { id: string; responseToken: string };

beforeAll(async () => {
  app = await startTestApp({ worker: true });
  const { repositories, gateway, routeCache } = app.runtime;
  deps = {
    integrations: repositories.integrations,
    idempotency: repositories.idempotency,
    senders: repositories.senders,
    campaigns: repositories.campaigns,
    gateway,
    routeCache,
  };
  acme = await app.tenant('Acme');
  sender = uniqueSender();
  connection = await createConnection(acme.client, 'MT-ROUTED', [sender]);
  orders = await createIntegration(acme.client, 'Orders', ['MT-ROUTED']);
  expect((await acme.client.post(`/v1/integrations/${orders.id}/start`)).status).toBe(200);
  dormant = await createIntegration(acme.client, 'Dormant', []);
});
afterAll(async () => {
  await app.close();
});

/** The AppError `promise` rejects with (fails the test if it resolves or rejects with anything else). */
async function appErrorOf(promise: Promise<unknown>): Promise<AppError> {
  const outcome = await promise.then(
    (value) => ({ settled: 'resolved' as const, value }),
    (error: unknown) => ({ settled: 'rejected' as const, error }),
  );
  if (outcome.settled === 'resolved') throw new Error(`expected an AppError, got ${JSON.stringify(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(AppError);
  return outcome.error as AppError;
}

const smsReply = (msg: string): MtEvent => ({
  type: 'MESSAGE',
  channel: { type: 'SMS', route: sender, connection: 'MT-ROUTED' },
  msg,
});

/** A reply of Orders' to `contact`, with its own token unless told otherwise. */
const post = (contact: string, overrides: Partial<ReplyPost> = {}): ReplyPost => ({
  integrationId: orders.id,
  responseToken: orders.responseToken,
  contact,
  event: smsReply('hi back'),
  idempotencyKey: undefined,
  ...overrides,
});

/** The contact writes in: its chat opens (answered once the chat has the message). */
async function contactWritesIn(contact: string, messageId: string): Promise<string> {
  const inbound = await carrierOf(app.baseUrl, connection).post('/carriers/MT-ROUTED/inbound', {
    messageId,
    from: contact,
    to: sender,
    text: 'hello',
  });
  expect(inbound.status, JSON.stringify(inbound.body)).toBe(202);
  return inbound.body.chatId as string;
}

describe('postReplyEvent: who may post', () => {
  it('refuses a missing or unknown response token UNAUTHORIZED', async () => {
    const contact = '5491100000601';
    for (const responseToken of [undefined, '', 'crt_not-a-token-of-anyone', 'x'.repeat(513)]) {
      const refusal = await appErrorOf(postReplyEvent(deps, post(contact, { responseToken })));
      expect(refusal.code, String(responseToken)).toBe(ErrorCode.UNAUTHORIZED);
    }
  });

  it("refuses another integration's token FORBIDDEN, whichever integration it is", async () => {
    const contact = '5491100000602';
    await contactWritesIn(contact, 'mt-forbidden-1');
    // Dormant's token on Orders' open chat, and Orders' token on Dormant's path.
    expect((await appErrorOf(postReplyEvent(deps, post(contact, { responseToken: dormant.responseToken })))).code).toBe(
      ErrorCode.FORBIDDEN,
    );
    expect((await appErrorOf(postReplyEvent(deps, post(contact, { integrationId: dormant.id })))).code).toBe(
      ErrorCode.FORBIDDEN,
    );
    // The chat is there: its own token is taken.
    expect(await postReplyEvent(deps, post(contact))).toMatchObject({ eventId: expect.any(String) });
  });

  it('refuses an integration that is not active INTEGRATION_INACTIVE, with its own token', async () => {
    const refusal = await appErrorOf(
      postReplyEvent(
        deps,
        post('5491100000603', {
          integrationId: dormant.id,
          responseToken: dormant.responseToken,
          event: { type: 'END' },
        }),
      ),
    );
    expect(refusal.code).toBe(ErrorCode.INTEGRATION_INACTIVE);
  });
});

describe('postReplyEvent: the chat', () => {
  it('refuses CHAT_NOT_FOUND when the contact has no open chat (never wrote, or is no phone number)', async () => {
    const never = await appErrorOf(postReplyEvent(deps, post('5491100000611')));
    expect(never.code).toBe(ErrorCode.CHAT_NOT_FOUND);
    expect(never.message).toBe('No open chat with 5491100000611: the contact must write in first');
    expect((await appErrorOf(postReplyEvent(deps, post('not-a-phone', { event: { type: 'END' } })))).code).toBe(
      ErrorCode.CHAT_NOT_FOUND,
    );
  });

  it("accepts a reply into the contact's open chat, and END closes it: a reply after it is CHAT_NOT_FOUND", async () => {
    const contact = '5491100000612';
    const chatId = await contactWritesIn(contact, 'mt-accepted-1');
    const accepted = await postReplyEvent(deps, post(contact));
    expect(accepted).toEqual({ eventId: expect.any(String), chatId });
    const another = await postReplyEvent(deps, post(contact, { event: smsReply('and another') }));
    expect(another.chatId).toBe(chatId);
    expect(another.eventId).not.toBe(accepted.eventId);

    expect((await postReplyEvent(deps, post(contact, { event: { type: 'END' } }))).chatId).toBe(chatId);
    expect((await appErrorOf(postReplyEvent(deps, post(contact, { event: smsReply('too late') })))).code).toBe(
      ErrorCode.CHAT_NOT_FOUND,
    );
  });

  it('refuses UNKNOWN_SENDER for a route the integration does not claim', async () => {
    const contact = '5491100000613';
    await contactWritesIn(contact, 'mt-unknown-sender-1');
    const event: MtEvent = {
      type: 'MESSAGE',
      channel: { type: 'SMS', route: uniqueSender(), connection: 'MT-ROUTED' },
      msg: 'from elsewhere',
    };
    expect((await appErrorOf(postReplyEvent(deps, post(contact, { event })))).code).toBe(ErrorCode.UNKNOWN_SENDER);
  });
});

describe('postReplyEvent: Idempotency-Key', () => {
  it('gives a repeat of the same request the first answer; another key is another reply', async () => {
    const contact = '5491100000621';
    const chatId = await contactWritesIn(contact, 'mt-idempotent-1');
    const first = await postReplyEvent(deps, post(contact, { idempotencyKey: 'reply-1' }));
    expect(first.chatId).toBe(chatId);
    expect(await postReplyEvent(deps, post(contact, { idempotencyKey: 'reply-1' }))).toEqual(first);
    const other = await postReplyEvent(deps, post(contact, { idempotencyKey: 'reply-2' }));
    expect(other.eventId).not.toBe(first.eventId);
  });

  it("replays the chat's refusal too: a key first answered CHAT_NOT_FOUND stays so after the contact writes in", async () => {
    const contact = '5491100000622';
    const refused = await appErrorOf(postReplyEvent(deps, post(contact, { idempotencyKey: 'before-the-chat' })));
    expect(refused.code).toBe(ErrorCode.CHAT_NOT_FOUND);
    const chatId = await contactWritesIn(contact, 'mt-idempotent-2');
    const replayed = await appErrorOf(postReplyEvent(deps, post(contact, { idempotencyKey: 'before-the-chat' })));
    expect({ code: replayed.code, message: replayed.message }).toEqual({
      code: refused.code,
      message: refused.message,
    });
    // The repeat was answered from the store, the chat never asked: once a later reply has gone
    // out (a chat sends its replies in order), it is the only one the carrier got.
    const later = await postReplyEvent(
      deps,
      post(contact, { idempotencyKey: 'after-the-chat', event: smsReply('later') }),
    );
    expect(later.chatId).toBe(chatId);
    await expect
      .poll(() => app.models.OutboundMessage.countDocuments({ eventId: later.eventId }), { timeout: 20_000 })
      .toBe(1);
    expect((await app.models.OutboundMessage.find({ chatId }).lean()).map((sent) => sent.text)).toEqual(['later']);
  });

  it('refuses the same key with another request IDEMPOTENCY_KEY_REUSED', async () => {
    const contact = '5491100000623';
    await contactWritesIn(contact, 'mt-idempotent-3');
    await postReplyEvent(deps, post(contact, { idempotencyKey: 'reused', event: smsReply('first text') }));
    const refusal = await appErrorOf(
      postReplyEvent(deps, post(contact, { idempotencyKey: 'reused', event: smsReply('second text') })),
    );
    expect(refusal.code).toBe(ErrorCode.IDEMPOTENCY_KEY_REUSED);
  });
});
