import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  chatSettingsOf,
  createTemporalGateway,
  type ReplyOutcome,
  type TemporalGateway,
} from '../../src/temporal/gateway.js';
import { chatStateQuery, type InboundAccepted, type InboundMessage } from '../../workflows/contract/chat-messages.js';
import type { ChatSessionWorkflow } from '../../workflows/contract/chat-session.js';
import { chatWorkflowId } from '../../workflows/contract/ids.js';
import { deliveryViewOf } from '../../src/services/deliveries.js';
import { startHttpPeer, type HttpPeer } from '../support/http-peer.js';
import {
  seedIntegration,
  startTimeSkippingStack,
  type SeededIntegration,
  type TimeSkippingStack,
} from '../support/time-skipping.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let stack: TimeSkippingStack;
/** Through the time-skipping environment's own client, so waiting on a chat lets its time run. */
let gateway: TemporalGateway;
const peers: HttpPeer[] = [];

beforeAll(async () => {
  stack = await startTimeSkippingStack();
  const { config, runtime } = stack;
  gateway = createTemporalGateway({
    client: stack.env.client,
    taskQueue: config.temporal.taskQueue,
    chatSettings: chatSettingsOf(config),
    metrics: runtime.metrics,
    logger: runtime.logger,
  });
});
afterAll(async () => {
  await stack?.close();
  await Promise.all(peers.map((peer) => peer.close()));
});

async function receiver() {
  const peer = await startHttpPeer();
  peers.push(peer);
  return peer;
}

let contacts = 0;
/** A chat of its own per test: the workflow id is derived from (integration, contact). */
function chatWith(integration: SeededIntegration) {
  contacts += 1;
  const contact = `54911000${String(contacts).padStart(5, '0')}`;
  const chat = {
    tenantId: stack.tenantId,
    integrationId: integration.integrationId,
    contact,
    channel: integration.channel,
    connectionCode: integration.connectionCode,
    sender: integration.sender,
  };
  const inbound = async (messageId: string, text: string): Promise<InboundAccepted> => {
    const message: InboundMessage = {
      messageId,
      connectionCode: integration.connectionCode,
      sender: integration.sender,
      channel: integration.channel,
      text,
      media: null,
      timestamp: new Date().toISOString(),
    };
    const outcome = await gateway.deliverInbound(chat, message);
    if (outcome.kind === 'ACCEPTED') return outcome.accepted;
    throw new Error(
      outcome.kind === 'REJECTED'
        ? `${outcome.rejection.type}: ${outcome.rejection.message}`
        : `chat ${outcome.workflowId} unavailable: ${outcome.reason}`,
    );
  };
  const reply = (text: string): Promise<ReplyOutcome> =>
    gateway.sendReply(integration.integrationId, contact, {
      type: 'MESSAGE',
      channel: integration.channel,
      connectionCode: integration.connectionCode,
      from: integration.sender,
      text,
    });
  const end = () => gateway.sendReply(integration.integrationId, contact, { type: 'END' });
  const handle = () =>
    stack.env.client.workflow.getHandle<ChatSessionWorkflow>(chatWorkflowId(integration.integrationId, contact));
  return { contact, inbound, reply, end, handle };
}

const ms = (iso: string | null) => new Date(iso ?? Number.NaN).getTime();
/** Deliveries as the API presents them (status and attempts come from the attempt log). */
async function deliveriesOf(filter: Record<string, unknown>) {
  const docs = await stack.models.Delivery.find(filter).sort({ createdAt: 1 }).lean();
  return Promise.all(
    docs.map(async (doc) => ({ ...(await deliveryViewOf(stack.runtime.repositories, doc)), payload: doc.payload })),
  );
}
const bodiesOf = (peer: HttpPeer) =>
  peer.received.map((request) => JSON.parse(request.body) as Record<string, unknown>);
const acceptedIn = (chatId: string) => ({ kind: 'ACCEPTED', accepted: { eventId: expect.any(String), chatId } });

function rejection(outcome: ReplyOutcome) {
  if (outcome.kind !== 'REJECTED') throw new Error(`expected a rejection, got ${JSON.stringify(outcome)}`);
  return { type: outcome.rejection.type, message: outcome.rejection.message };
}

describe('chat timers on the time-skipping server (24h durations)', () => {
  it('WhatsApp: replies are accepted within 24h of the last inbound, WINDOW_CLOSED after, and a new inbound reopens the window', async () => {
    const peer = await receiver();
    const integration = await seedIntegration(stack, `${peer.url}/hook`, 'WHATSAPP');
    const chat = chatWith(integration);

    const first = await chat.inbound('wa-1', 'hola');
    expect(first.duplicate).toBe(false);
    const state = await chat.handle().query(chatStateQuery);
    const opened = { ...state, windowExpiresAt: state.windowExpiresAt! };
    expect(opened.chatId).toBe(first.chatId);
    expect(ms(opened.windowExpiresAt) - ms(opened.lastInboundAt)).toBe(DAY);
    expect(await chat.reply('right away')).toEqual(acceptedIn(opened.chatId));

    // The reply at 23h restarts the idle timer but not the window, so at 24h+ the chat is open
    // and only the window has run out.
    await stack.env.sleep('23h');
    expect(await chat.reply('at 23h')).toEqual(acceptedIn(opened.chatId));
    await stack.env.sleep('61m');
    expect(rejection(await chat.reply('at 24h01m'))).toEqual({
      type: 'WINDOW_CLOSED',
      message: `the 24-hour customer service window closed at ${opened.windowExpiresAt}`,
    });
    expect(await chat.handle().query(chatStateQuery)).toMatchObject({
      chatId: opened.chatId,
      status: 'OPEN',
      windowExpiresAt: opened.windowExpiresAt,
    });

    expect(await chat.inbound('wa-2', 'sigo aquí')).toEqual({ chatId: opened.chatId, duplicate: false });
    const reopened = await chat.handle().query(chatStateQuery);
    expect(reopened).toMatchObject({ chatId: opened.chatId, openedAt: opened.openedAt });
    expect(ms(reopened.lastInboundAt) - ms(opened.lastInboundAt)).toBeGreaterThanOrEqual(DAY + 60_000);
    expect(ms(reopened.windowExpiresAt!) - ms(reopened.lastInboundAt)).toBe(DAY);
    expect(await chat.reply('after reopening')).toEqual(acceptedIn(opened.chatId));

    expect(await chat.end()).toEqual(acceptedIn(opened.chatId));
    expect(await chat.handle().result()).toEqual({
      chatId: opened.chatId,
      closedReason: 'CLIENT_END',
      acceptedTotal: 6,
    });
    expect(bodiesOf(peer).map((body) => [body.event, body.text])).toEqual([
      ['MESSAGE', 'hola'],
      ['MESSAGE', 'sigo aquí'],
      ['END', null],
    ]);
    // The rejected reply never reached the carrier.
    const sent = await stack.models.OutboundMessage.find({ chatId: opened.chatId }).lean();
    expect(sent.map((message) => [message.text, message.status, message.channel, message.to]).sort()).toEqual([
      ['after reopening', 'SENT', 'WHATSAPP', chat.contact],
      ['at 23h', 'SENT', 'WHATSAPP', chat.contact],
      ['right away', 'SENT', 'WHATSAPP', chat.contact],
    ]);
  });

  it('SMS has no window: a reply 25h after the only inbound is accepted', async () => {
    const peer = await receiver();
    const integration = await seedIntegration(stack, `${peer.url}/hook`, 'SMS');
    const chat = chatWith(integration);

    const opened = await chat.inbound('sms-1', 'hello');
    expect((await chat.handle().query(chatStateQuery)).windowExpiresAt).toBeNull();
    expect(await chat.reply('right away')).toEqual(acceptedIn(opened.chatId));
    await stack.env.sleep('23h');
    expect(await chat.reply('at 23h')).toEqual(acceptedIn(opened.chatId));
    await stack.env.sleep('2h');
    expect(await chat.reply('at 25h')).toEqual(acceptedIn(opened.chatId));
    expect(await chat.handle().query(chatStateQuery)).toMatchObject({ status: 'OPEN', windowExpiresAt: null });

    expect(await chat.end()).toEqual(acceptedIn(opened.chatId));
    expect(await chat.handle().result()).toMatchObject({ closedReason: 'CLIENT_END', acceptedTotal: 5 });
  });

  it('closes an idle chat after 24h with no traffic: END delivered, read model CLOSED', async () => {
    const peer = await receiver();
    const integration = await seedIntegration(stack, `${peer.url}/hook`, 'SMS');
    const chat = chatWith(integration);

    const opened = await chat.inbound('idle-1', 'anyone there?');
    await peer.waitFor(1);
    const before = await stack.env.currentTimeMs();
    expect(await chat.handle().result()).toEqual({ chatId: opened.chatId, closedReason: 'IDLE', acceptedTotal: 1 });
    expect((await stack.env.currentTimeMs()) - before).toBeGreaterThanOrEqual(DAY - HOUR);

    const multimedia = { url: null, caption: null };
    expect(bodiesOf(peer)).toEqual([
      { chatId: opened.chatId, contact: chat.contact, event: 'MESSAGE', text: 'anyone there?', multimedia },
      { chatId: opened.chatId, contact: chat.contact, event: 'END', text: null, multimedia },
    ]);
    const deliveries = await deliveriesOf({ chatId: opened.chatId });
    expect(deliveries.map((delivery) => [delivery.event, delivery.status, delivery.attemptCount])).toEqual([
      ['MESSAGE', 'SUCCEEDED', 1],
      ['END', 'SUCCEEDED', 1],
    ]);

    const row = await stack.models.Chat.findOne({ chatId: opened.chatId }).lean();
    expect(row).toMatchObject({ status: 'CLOSED', channel: 'SMS', contact: chat.contact });
    expect(row!.closedAt).toBeInstanceOf(Date);
    const openFor = row!.closedAt!.getTime() - row!.openedAt.getTime();
    expect(openFor).toBeGreaterThanOrEqual(DAY);
    expect(openFor).toBeLessThan(DAY + 60_000);
  });

  it('gives up a delivery after DELIVERY_MAX_DURATION (24h) of backoff, marks it FAILED and delivers the next event', async () => {
    const peer = await receiver();
    // The server's clock, read while an attempt is in flight (time does not skip then).
    const attemptTimes: Array<Promise<number>> = [];
    peer.respondWith((request) => {
      if ((JSON.parse(request.body) as { text?: unknown }).text !== 'first') return undefined;
      attemptTimes.push(stack.env.currentTimeMs());
      return { status: 503 };
    });
    const integration = await seedIntegration(stack, `${peer.url}/hook`, 'SMS');
    const chat = chatWith(integration);

    const opened = await chat.inbound('deadline-1', 'first');
    await peer.waitFor(1);
    await stack.env.sleep('1h');
    const second = await chat.inbound('deadline-2', 'second');
    expect(second).toMatchObject({ chatId: opened.chatId, duplicate: false });
    // In order: nothing of the second message goes out while the first is still being retried.
    expect(bodiesOf(peer).every((body) => body.text === 'first')).toBe(true);
    // The first attempt is recorded after its 503 arrives.
    // Both are listed from the moment they were accepted: the first retrying, the second not tried yet.
    await expect
      .poll(
        async () =>
          (await deliveriesOf({ chatId: opened.chatId })).map((view) => [
            view.payload?.text,
            view.status,
            view.attemptCount > 0,
          ]),
        { timeout: 10_000, interval: 100 },
      )
      .toEqual([
        ['first', 'PENDING', true],
        ['second', 'PENDING', false],
      ]);

    // Past the first delivery's deadline, short of the idle timeout (24h after the second message).
    await stack.env.sleep(23 * HOUR + 30 * 60_000);
    await vi.waitFor(
      async () =>
        expect((await deliveriesOf({ chatId: opened.chatId, event: 'MESSAGE' })).map((d) => d.status).sort()).toEqual([
          'FAILED',
          'SUCCEEDED',
        ]),
      {
        timeout: 20_000,
        interval: 200,
      },
    );

    const views = await deliveriesOf({ chatId: opened.chatId, event: 'MESSAGE' });
    const [first, delivered] = ['first', 'second'].map((text) => views.find((view) => view.payload?.text === text));
    expect(first).toMatchObject({ status: 'FAILED', event: 'MESSAGE' });
    expect(first!.lastError).toContain('the endpoint answered 503');
    expect(new Set(first!.attempts.map((attempt) => `${attempt.statusCode} ${attempt.error}`))).toEqual(
      new Set(['503 the endpoint answered 503']),
    );
    expect(first!.attemptCount).toBeGreaterThan(5);
    expect(first!.attemptCount).toBeLessThan(60);
    expect(delivered).toMatchObject({
      status: 'SUCCEEDED',
      attempts: [expect.objectContaining({ statusCode: 200, error: null })],
    });

    const times = await Promise.all(attemptTimes);
    expect(times).toHaveLength(first!.attemptCount);
    // Retried right up to the deadline: after the last attempt, even the longest backoff (1h) ends past it.
    const span = times[times.length - 1]! - times[0]!;
    expect(span).toBeGreaterThan(DAY - HOUR);
    expect(span).toBeLessThanOrEqual(DAY);
    // Attempt n waits between half and all of min(1h, 5s·2^(n-1)) ("equal jitter").
    times.slice(1).forEach((at, index) => {
      const nominal = Math.min(HOUR, 5_000 * 2 ** index);
      const gap = at - times[index]!;
      expect(gap, `gap after attempt ${index + 1}`).toBeGreaterThanOrEqual(nominal / 2 - 1_000);
      expect(gap, `gap after attempt ${index + 1}`).toBeLessThanOrEqual(nominal + 5_000);
    });
    expect(await chat.handle().query(chatStateQuery)).toMatchObject({ status: 'OPEN', pendingDeliveries: 0 });

    expect(await chat.handle().result()).toEqual({ chatId: opened.chatId, closedReason: 'IDLE', acceptedTotal: 2 });
    expect(
      bodiesOf(peer)
        .slice(-2)
        .map((body) => [body.event, body.text]),
    ).toEqual([
      ['MESSAGE', 'second'],
      ['END', null],
    ]);
  });
});
