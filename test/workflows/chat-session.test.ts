/**
 * ChatSession (workflows/chat-session.ts), the chat's rules apart from the workflow that drives
 * them, constructed and called directly, outside the workflow sandbox.
 *
 * What runs outside a workflow: the constructor, the validators, requestClose, acceptReply (its
 * uuid4 draws from Math.random outside a workflow), endRun, beginHandOver and the hand-over
 * inputs. What does not: queueEnd (CLOSE_REQUESTED → CLOSING) writes the END row through an
 * activity first, and endDelivered (CLOSING → CLOSED) is reached only from deliverInOrder, which
 * waits on `condition`; continueAsNewDue reads workflowInfo(). Temporal is not mocked for them:
 * the phases they lead to are built here from a carried state, as the next run of a chat builds
 * them, and the transitions themselves are the workflow tests' (chat-timers, replay) and the
 * end-to-end tests'.
 */
import { ApplicationFailure } from '@temporalio/common';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChatSession } from '../../workflows/chat-session.js';
import type { ReplyRequest } from '../../workflows/contract/chat-messages.js';
import type { ChatSessionInput, ChatSettings } from '../../workflows/contract/chat-session.js';
import {
  MAX_PENDING_REPLIES,
  type ChatPhase,
  type ChatSessionState,
  type PendingReply,
  type QueuedDelivery,
} from '../../workflows/contract/chat-state.js';
import { FailureType } from '../../workflows/contract/failures.js';

const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const at = (ms: number) => new Date(ms).toISOString();

const SETTINGS: ChatSettings = {
  whatsappWindowMs: 60_000,
  idleTimeoutMs: 300_000,
  deliveryMaxDurationMs: 600_000,
  deliveryTimeoutMs: 10_000,
  deliveryRetryInitialMs: 1_000,
  deliveryRetryMaxIntervalMs: 60_000,
  maxMessagesPerRun: 100,
  maxPendingDeliveries: 3,
};

const PHASES: readonly ChatPhase[] = ['OPEN', 'CLOSE_REQUESTED', 'CLOSING', 'CLOSED'];

const delivery = (index: number): QueuedDelivery => ({
  deliveryId: `msg_${index}`,
  event: 'MESSAGE',
  attempts: 0,
  firstAttemptAt: null,
  nextAttemptAt: null,
});
const deliveries = (count: number) => Array.from({ length: count }, (_, index) => delivery(index));
const pendingReply = (index: number): PendingReply => ({
  eventId: `evt_${index}`,
  channel: 'SMS',
  connectionCode: 'C1',
  from: '1234',
  text: `reply ${index}`,
  createdAt: at(T0),
});

function carried(state: Partial<ChatSessionState> = {}): ChatSessionState {
  return {
    chatId: 'chat-1',
    phase: 'OPEN',
    closedReason: null,
    openedAt: at(T0),
    lastInboundAt: at(T0),
    lastActivityAt: at(T0),
    deliveries: [],
    replies: [],
    acceptedTotal: 0,
    listed: true,
    next: null,
    ...state,
  };
}

/** A chat between a contact and a sender of connection C1, carried in `state` (SMS unless told). */
function chatOf(state: Partial<ChatSessionState> = {}, input: Partial<ChatSessionInput> = {}): ChatSession {
  return new ChatSession({
    tenantId: 'tenant-1',
    integrationId: 'integration-1',
    contact: '5491100000001',
    channel: 'SMS',
    connectionCode: 'C1',
    sender: '1234',
    settings: SETTINGS,
    carried: carried(state),
    ...input,
  });
}

const smsReply: ReplyRequest = { type: 'MESSAGE', channel: 'SMS', connectionCode: 'C1', from: '1234', text: 'hi' };
const whatsappReply: ReplyRequest = {
  type: 'MESSAGE',
  channel: 'WHATSAPP',
  connectionCode: 'C1',
  from: '1234',
  text: 'hi',
};
const end: ReplyRequest = { type: 'END' };
const inbound = {
  messageId: 'm1',
  connectionCode: 'C1',
  sender: '1234',
  channel: 'SMS' as const,
  text: 'hello',
  media: null,
  timestamp: at(T0),
};

/** The failure type a validator refused with (none: undefined); every refusal is a non-retryable ApplicationFailure. */
function refusalOf(validate: () => void): string | undefined {
  try {
    validate();
  } catch (error) {
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect((error as ApplicationFailure).nonRetryable).toBe(true);
    return (error as ApplicationFailure).type ?? 'no type';
  }
  return undefined;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ChatSession phases', () => {
  it('opens a new chat OPEN, and a carried one in the phase it was carried in', () => {
    const fresh = new ChatSession({
      tenantId: 't',
      integrationId: 'i',
      contact: '5491100000001',
      channel: 'SMS',
      connectionCode: 'C1',
      sender: '1234',
      settings: SETTINGS,
    });
    expect(fresh.phase).toBe('OPEN');
    expect(fresh.state).toMatchObject({
      phase: 'OPEN',
      closedReason: null,
      openedAt: at(T0),
      deliveries: [],
      replies: [],
      next: null,
    });
    for (const phase of PHASES) expect(chatOf({ phase }).phase).toBe(phase);
  });

  it('requestClose: OPEN → CLOSE_REQUESTED with its reason, once', () => {
    const chat = chatOf();
    chat.requestClose('IDLE');
    expect(chat.phase).toBe('CLOSE_REQUESTED');
    expect(chat.state.closedReason).toBe('IDLE');
    chat.requestClose('CLIENT_END');
    expect(chat.phase).toBe('CLOSE_REQUESTED');
    expect(chat.summary()).toMatchObject({ chatId: 'chat-1', closedReason: 'IDLE' });
  });

  it('requestClose leaves a chat past OPEN as it is', () => {
    for (const phase of ['CLOSE_REQUESTED', 'CLOSING', 'CLOSED'] as const) {
      const chat = chatOf({ phase, closedReason: 'CLIENT_END' });
      chat.requestClose('IDLE');
      expect(chat.phase, phase).toBe(phase);
      expect(chat.state.closedReason, phase).toBe('CLIENT_END');
    }
  });

  it('an END reply asks the chat to close (CLIENT_END) and is answered with the chat id', () => {
    const chat = chatOf();
    const accepted = chat.acceptReply(end);
    expect(accepted).toEqual({ eventId: expect.any(String), chatId: 'chat-1' });
    expect(chat.phase).toBe('CLOSE_REQUESTED');
    expect(chat.state.closedReason).toBe('CLIENT_END');
    expect(chat.state.replies).toEqual([]);
  });

  it('a MESSAGE reply is queued for the carrier and leaves the chat OPEN', () => {
    const chat = chatOf();
    vi.setSystemTime(T0 + 5_000);
    const accepted = chat.acceptReply({ ...smsReply, connectionCode: '' });
    expect(chat.phase).toBe('OPEN');
    // An empty connection code goes out through the connection the contact wrote to.
    expect(chat.state.replies).toEqual([
      {
        eventId: accepted.eventId,
        channel: 'SMS',
        connectionCode: 'C1',
        from: '1234',
        text: 'hi',
        createdAt: at(T0 + 5_000),
      },
    ]);
    expect(chat.state.lastActivityAt).toBe(at(T0 + 5_000));
  });

  it('queueEnd moves only a chat whose close was requested, and only once its END row is written (an activity: a workflow is needed)', async () => {
    for (const phase of ['OPEN', 'CLOSING', 'CLOSED'] as const) {
      const chat = chatOf({ phase });
      await chat.queueEnd();
      expect(chat.phase, phase).toBe(phase);
      expect(chat.state.deliveries, phase).toEqual([]);
    }
    const closing = chatOf({ phase: 'CLOSE_REQUESTED', deliveries: deliveries(1) });
    await expect(closing.queueEnd()).rejects.toThrow(/may only be used from a Workflow Execution/);
    expect(closing.phase).toBe('CLOSE_REQUESTED');
    expect(closing.state.deliveries).toEqual(deliveries(1));
  });

  it('the run: RUNNING → ENDING → HANDING_OVER, never back; the phase stays as it was', () => {
    const chat = chatOf();
    expect(chat.isRunEnding).toBe(false);
    chat.endRun();
    expect(chat.isRunEnding).toBe(true);
    expect(refusalOf(() => chat.validateInbound(inbound))).toBeUndefined();
    chat.beginHandOver();
    chat.endRun();
    expect(chat.isRunEnding).toBe(true);
    expect(refusalOf(() => chat.validateInbound(inbound))).toBe(FailureType.CHAT_HANDING_OVER);
    expect(chat.phase).toBe('OPEN');
  });

  it("hands its phase and queues to its next run, and the contact's next chat its own queue, OPEN", () => {
    const chat = chatOf({
      deliveries: deliveries(2),
      next: {
        chatId: 'chat-2',
        openedAt: at(T0 - 1_000),
        lastInboundAt: at(T0 - 500),
        deliveries: [delivery(9)],
        listed: true,
      },
    });
    expect(chatOf().nextChatInput()).toBeNull();
    chat.requestClose('CLIENT_END');
    expect(chat.nextRunInput().carried).toMatchObject({
      chatId: 'chat-1',
      phase: 'CLOSE_REQUESTED',
      closedReason: 'CLIENT_END',
      deliveries: deliveries(2),
    });
    vi.setSystemTime(T0 + 10_000);
    expect(chat.nextChatInput()?.carried).toEqual({
      chatId: 'chat-2',
      phase: 'OPEN',
      closedReason: null,
      openedAt: at(T0 - 1_000),
      lastInboundAt: at(T0 - 500),
      lastActivityAt: at(T0 + 10_000),
      deliveries: [delivery(9)],
      replies: [],
      acceptedTotal: 1,
      listed: true,
      next: null,
    });
  });
});

describe('ChatSession.validateInbound', () => {
  it('takes a message in every phase while the run is RUNNING or ENDING (past OPEN it opens the next chat)', () => {
    for (const phase of PHASES) {
      const chat = chatOf({ phase });
      expect(
        refusalOf(() => chat.validateInbound(inbound)),
        phase,
      ).toBeUndefined();
      chat.endRun();
      expect(
        refusalOf(() => chat.validateInbound(inbound)),
        `${phase}, ending`,
      ).toBeUndefined();
    }
  });

  it('refuses CHAT_HANDING_OVER once the run hands over, in every phase', () => {
    for (const phase of PHASES) {
      const chat = chatOf({ phase });
      chat.beginHandOver();
      expect(
        refusalOf(() => chat.validateInbound(inbound)),
        phase,
      ).toBe(FailureType.CHAT_HANDING_OVER);
    }
  });

  it("refuses CHAT_BACKLOG at CHAT_MAX_PENDING undelivered events, the next chat's counted in", () => {
    expect(
      refusalOf(() => chatOf({ deliveries: deliveries(SETTINGS.maxPendingDeliveries - 1) }).validateInbound(inbound)),
    ).toBeUndefined();
    expect(
      refusalOf(() => chatOf({ deliveries: deliveries(SETTINGS.maxPendingDeliveries) }).validateInbound(inbound)),
    ).toBe(FailureType.CHAT_BACKLOG);
    const next = {
      chatId: 'chat-2',
      openedAt: at(T0),
      lastInboundAt: at(T0),
      deliveries: [delivery(9)],
      listed: false,
    };
    const closing = chatOf({ phase: 'CLOSING', deliveries: deliveries(SETTINGS.maxPendingDeliveries - 1), next });
    expect(refusalOf(() => closing.validateInbound(inbound))).toBe(FailureType.CHAT_BACKLOG);
  });
});

describe('ChatSession.validateReply', () => {
  it('takes a reply or END only while OPEN: past it, CHAT_NOT_FOUND', () => {
    expect(refusalOf(() => chatOf().validateReply(smsReply))).toBeUndefined();
    expect(refusalOf(() => chatOf().validateReply(end))).toBeUndefined();
    for (const phase of ['CLOSE_REQUESTED', 'CLOSING', 'CLOSED'] as const) {
      expect(
        refusalOf(() => chatOf({ phase }).validateReply(smsReply)),
        phase,
      ).toBe(FailureType.CHAT_NOT_FOUND);
      expect(
        refusalOf(() => chatOf({ phase }).validateReply(end)),
        phase,
      ).toBe(FailureType.CHAT_NOT_FOUND);
    }
  });

  it('refuses CHAT_HANDING_OVER while the run hands over; an ending run still takes replies', () => {
    const chat = chatOf();
    chat.endRun();
    expect(refusalOf(() => chat.validateReply(smsReply))).toBeUndefined();
    chat.beginHandOver();
    expect(refusalOf(() => chat.validateReply(smsReply))).toBe(FailureType.CHAT_HANDING_OVER);
    expect(refusalOf(() => chat.validateReply(end))).toBe(FailureType.CHAT_HANDING_OVER);
  });

  it("refuses UNKNOWN_SENDER for a reply on another channel than the chat's; END names no channel", () => {
    expect(refusalOf(() => chatOf().validateReply(whatsappReply))).toBe(FailureType.UNKNOWN_SENDER);
    const whatsapp = chatOf({}, { channel: 'WHATSAPP' });
    expect(refusalOf(() => whatsapp.validateReply(smsReply))).toBe(FailureType.UNKNOWN_SENDER);
    expect(refusalOf(() => whatsapp.validateReply(whatsappReply))).toBeUndefined();
    expect(refusalOf(() => whatsapp.validateReply(end))).toBeUndefined();
  });

  it("refuses WINDOW_CLOSED once the WhatsApp window after the contact's last message is over; SMS has no window", () => {
    const whatsapp = chatOf({}, { channel: 'WHATSAPP' });
    const sms = chatOf();
    expect(whatsapp.windowExpiresAt()).toBe(at(T0 + SETTINGS.whatsappWindowMs));
    expect(sms.windowExpiresAt()).toBeNull();
    vi.setSystemTime(T0 + SETTINGS.whatsappWindowMs);
    expect(refusalOf(() => whatsapp.validateReply(whatsappReply))).toBeUndefined();
    vi.setSystemTime(T0 + SETTINGS.whatsappWindowMs + 1);
    expect(refusalOf(() => whatsapp.validateReply(whatsappReply))).toBe(FailureType.WINDOW_CLOSED);
    // END closes the chat whatever the window.
    expect(refusalOf(() => whatsapp.validateReply(end))).toBeUndefined();
    vi.setSystemTime(T0 + 10 * SETTINGS.whatsappWindowMs);
    expect(refusalOf(() => sms.validateReply(smsReply))).toBeUndefined();
    // A new message from the contact opens the window again.
    expect(
      refusalOf(() =>
        chatOf(
          { lastInboundAt: at(T0 + 10 * SETTINGS.whatsappWindowMs - 1_000) },
          { channel: 'WHATSAPP' },
        ).validateReply(whatsappReply),
      ),
    ).toBeUndefined();
  });

  it(`refuses CHAT_BACKLOG when ${MAX_PENDING_REPLIES} replies wait for the carrier; END is still taken`, () => {
    const replies = (count: number) => Array.from({ length: count }, (_, index) => pendingReply(index));
    expect(
      refusalOf(() => chatOf({ replies: replies(MAX_PENDING_REPLIES - 1) }).validateReply(smsReply)),
    ).toBeUndefined();
    const full = chatOf({ replies: replies(MAX_PENDING_REPLIES) });
    expect(refusalOf(() => full.validateReply(smsReply))).toBe(FailureType.CHAT_BACKLOG);
    expect(refusalOf(() => full.validateReply(end))).toBeUndefined();
  });
});
