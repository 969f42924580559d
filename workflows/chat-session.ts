/**
 * One chat's state and rules (SPEC section 6), apart from the workflow that drives them
 * (chat-session-workflow.ts): what the update validators accept, what the handlers change, the
 * two queues (webhook deliveries to the client, replies to the carrier) and the clocks (WhatsApp
 * window, idle timeout, continue-as-new).
 *
 * Two facts decide everything here: the chat's phase (ChatPhase: OPEN → CLOSE_REQUESTED →
 * CLOSING → CLOSED), changed only by the transition methods below, and whether this run is
 * ending (`RunEnd`: RUNNING → ENDING, the queues stop after their current step → HANDING_OVER,
 * nothing more is accepted). Each validator reads the run's mark first, then the phase.
 *
 * Bounded by design: an accepted message's payload is written to the deliveries collection by
 * an activity before its update returns, and the state keeps only its id and the progress of
 * its attempt series; at most CHAT_MAX_PENDING events and MAX_PENDING_REPLIES replies wait.
 * Everything here runs inside the workflow sandbox, which replays time and randomness.
 */
import { ApplicationFailure, condition, proxyActivities, uuid4, workflowInfo } from '@temporalio/workflow';
import type { ChathookActivities } from '../activities/index.js';
import { ACCEPT_ACTIVITY_OPTIONS, RECORD_ACTIVITY_OPTIONS } from './activity-options.js';
import type { ChatOpenedRecord } from './contract/activity-io.js';
import type {
  ChatSnapshot,
  InboundAccepted,
  InboundMessage,
  ReplyAccepted,
  ReplyRequest,
} from './contract/chat-messages.js';
import type { ChatSessionInput, ChatSummary } from './contract/chat-session.js';
import {
  MAX_PENDING_REPLIES,
  type ChatClosedReason,
  type ChatPhase,
  type ChatSessionState,
  type NextChat,
  type PendingReply,
  type QueuedDelivery,
} from './contract/chat-state.js';
import { FailureType } from './contract/failures.js';

const { acceptInboundEvent } = proxyActivities<ChathookActivities>(ACCEPT_ACTIVITY_OPTIONS);
const { recordChatEvent } = proxyActivities<ChathookActivities>(RECORD_ACTIVITY_OPTIONS);

/**
 * RUNNING; ENDING: the queues stop after their current step; HANDING_OVER: every update is refused, the next run takes
 * it.
 */
type RunEnd = 'RUNNING' | 'ENDING' | 'HANDING_OVER';

const iso = (ms: number) => new Date(ms).toISOString();
const ms = (isoText: string) => new Date(isoText).getTime();
const newDeliveryId = () => `msg_${uuid4().replace(/-/g, '')}`;
const queued = (deliveryId: string, event: QueuedDelivery['event']): QueuedDelivery => ({
  deliveryId,
  event,
  attempts: 0,
  firstAttemptAt: null,
  nextAttemptAt: null,
});

function refused(type: FailureType, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

/** The chat an inbound message joins: this one while it is OPEN, else the contact's next one. */
type InboundTarget = Pick<NextChat, 'chatId' | 'openedAt' | 'lastInboundAt' | 'deliveries' | 'listed'>;

export class ChatSession {
  readonly state: ChatSessionState;
  private phaseNow: ChatPhase;
  private run: RunEnd = 'RUNNING';
  /** Updates this run accepted: Temporal bounds them per run, so they decide continue-as-new. */
  private updatesInRun = 0;
  /**
   * Queued deliveries whose rows are still being written: each holds its place in its queue from
   * the moment its update was accepted (so nothing accepted later overtakes it, and a duplicate
   * answered meanwhile names a message already queued), and is not attempted until written.
   */
  private readonly writing = new Set<string>();
  /** When the integration's receiver was last reported back (receiverRecovered). */
  private receiverRecoveredAt = 0;

  constructor(private readonly input: ChatSessionInput) {
    const now = iso(Date.now());
    this.state = input.carried ?? {
      chatId: uuid4(),
      phase: 'OPEN',
      closedReason: null,
      openedAt: now,
      lastInboundAt: now,
      lastActivityAt: now,
      deliveries: [],
      replies: [],
      acceptedTotal: 0,
      listed: false,
      next: null,
    };
    this.phaseNow = this.state.phase;
  }

  get phase(): ChatPhase {
    return this.phaseNow;
  }

  // ─── Validators: the run's mark, then the phase ─────────────────────────────────────────

  /** Backpressure, never loss: past CHAT_MAX_PENDING undelivered events the carrier is asked to retry. */
  validateInbound(_message: InboundMessage): void {
    if (this.run === 'HANDING_OVER')
      refused(FailureType.CHAT_HANDING_OVER, 'this run of the chat is handing over; ask again');
    const limit = this.input.settings.maxPendingDeliveries;
    const pending = this.state.deliveries.length + (this.state.next?.deliveries.length ?? 0);
    if (pending >= limit)
      refused(
        FailureType.CHAT_BACKLOG,
        `this chat holds ${pending} undelivered events (CHAT_MAX_PENDING ${limit}); retry later`,
      );
  }

  validateReply(request: ReplyRequest): void {
    if (this.phaseNow !== 'OPEN') refused(FailureType.CHAT_NOT_FOUND, 'this chat is closed');
    if (this.run === 'HANDING_OVER')
      refused(FailureType.CHAT_HANDING_OVER, 'this run of the chat is handing over; ask again');
    if (request.type === 'END') return;
    if (request.channel !== this.input.channel)
      refused(FailureType.UNKNOWN_SENDER, `this chat is on ${this.input.channel}, not ${request.channel}`);
    const expires = this.windowExpiresAt();
    if (expires !== null && Date.now() > ms(expires))
      refused(FailureType.WINDOW_CLOSED, `the 24-hour customer service window closed at ${expires}`);
    // Reply texts live in the state until sent: their number is bounded so the state stays small.
    if (this.state.replies.length >= MAX_PENDING_REPLIES) {
      refused(
        FailureType.CHAT_BACKLOG,
        `${this.state.replies.length} replies are waiting for the carrier; retry later`,
      );
    }
  }

  // ─── Handlers ────────────────────────────────────────────────────────────────────────────

  /**
   * Writes the message's rows and queues its id, in this chat while it is OPEN, else in the
   * contact's next chat (delivered after this chat's END). Whether the message is new is the
   * receipt's to say, not this chat's: a receipt taken by another acceptance names the chat that
   * has the message, and nothing is queued.
   */
  async receiveInbound(message: InboundMessage): Promise<InboundAccepted> {
    this.updatesInRun += 1;
    const target = this.inboundTarget();
    const deliveryId = newDeliveryId();
    const acceptedAt = iso(Date.now());
    const slot = queued(deliveryId, 'MESSAGE');
    target.deliveries.push(slot);
    this.writing.add(deliveryId);
    let result;
    try {
      result = await acceptInboundEvent({
        deliveryId,
        tenantId: this.input.tenantId,
        integrationId: this.input.integrationId,
        chatId: target.chatId,
        contact: this.input.contact,
        message,
        acceptedAt,
        ...(target.listed ? {} : { openChat: this.listedRecord(target, acceptedAt) }),
      });
    } finally {
      this.writing.delete(deliveryId);
    }
    if (result.duplicateOf) {
      target.deliveries.splice(target.deliveries.indexOf(slot), 1);
      return { chatId: result.duplicateOf.chatId, duplicate: true };
    }
    target.listed = true;
    target.lastInboundAt = acceptedAt;
    if (target === this.state) {
      this.state.acceptedTotal += 1;
      this.state.lastActivityAt = acceptedAt;
    }
    return { chatId: target.chatId, duplicate: false };
  }

  /** Queues a carrier send, or (END) asks the chat to close; answered in the task that accepted it. */
  acceptReply(request: ReplyRequest): ReplyAccepted {
    this.updatesInRun += 1;
    const eventId = uuid4();
    this.state.acceptedTotal += 1;
    if (request.type === 'END') {
      this.requestClose('CLIENT_END');
    } else {
      const createdAt = iso(Date.now());
      const reply: PendingReply = {
        eventId,
        channel: request.channel,
        connectionCode: request.connectionCode || this.input.connectionCode,
        from: request.from,
        text: request.text,
        createdAt,
      };
      this.state.replies.push(reply);
      this.state.lastActivityAt = createdAt;
    }
    return { eventId, chatId: this.state.chatId };
  }

  snapshot(): ChatSnapshot {
    const { input, state } = this;
    return {
      chatId: state.chatId,
      contact: input.contact,
      channel: input.channel,
      connectionCode: input.connectionCode,
      sender: input.sender,
      status: this.phaseNow === 'OPEN' ? 'OPEN' : 'CLOSING',
      openedAt: state.openedAt,
      lastInboundAt: state.lastInboundAt,
      windowExpiresAt: this.windowExpiresAt(),
      pendingDeliveries: state.deliveries.length,
      pendingReplies: state.replies.length,
    };
  }

  /** A delivery waiting since `since` for its next attempt may try now: its receiver answered again since. */
  receiverRecovered(): void {
    this.receiverRecoveredAt = Date.now();
  }

  receiverRecoveredSince(since: number): boolean {
    return this.receiverRecoveredAt >= since;
  }

  // ─── Phase transitions ───────────────────────────────────────────────────────────────────

  /** OPEN → CLOSE_REQUESTED: by the client's END or by idleness; messages from now on open the next chat. */
  requestClose(reason: ChatClosedReason): void {
    if (this.phaseNow !== 'OPEN') return;
    this.phaseNow = 'CLOSE_REQUESTED';
    this.state.closedReason = reason;
  }

  /**
   * CLOSE_REQUESTED → CLOSING: the END event's row is written (retried until it is), then END is
   * queued last, after every message accepted while the chat was OPEN (each holds its place).
   */
  async queueEnd(): Promise<void> {
    if (this.phaseNow !== 'CLOSE_REQUESTED') return;
    const deliveryId = newDeliveryId();
    const closedAt = iso(Date.now());
    const { input, state } = this;
    await recordChatEvent({
      deliveryId,
      tenantId: input.tenantId,
      integrationId: input.integrationId,
      createdAt: closedAt,
      event: {
        event: 'END',
        chatId: state.chatId,
        contact: input.contact,
        channel: input.channel,
        sender: input.sender,
        text: null,
        multimedia: { url: null, caption: null },
        timestamp: closedAt,
      },
    });
    state.deliveries.push(queued(deliveryId, 'END'));
    this.phaseNow = 'CLOSING';
  }

  /** CLOSING → CLOSED: END went out (or failed for good); nothing of this chat is delivered after it. */
  private endDelivered(): void {
    this.phaseNow = 'CLOSED';
  }

  /**
   * RUNNING → ENDING: the queues stop after their current attempt or send (a retrying delivery is carried, not
   * awaited).
   */
  endRun(): void {
    if (this.run === 'RUNNING') this.run = 'ENDING';
  }

  /** → HANDING_OVER: from here every update is refused (the caller asks again, and the next run answers). */
  beginHandOver(): void {
    this.run = 'HANDING_OVER';
  }

  get isRunEnding(): boolean {
    return this.run !== 'RUNNING';
  }

  // ─── Clocks ──────────────────────────────────────────────────────────────────────────────

  /** WhatsApp only: replies are allowed until `whatsappWindowMs` after the contact's last message. */
  windowExpiresAt(): string | null {
    return this.input.channel === 'WHATSAPP'
      ? iso(ms(this.state.lastInboundAt) + this.input.settings.whatsappWindowMs)
      : null;
  }

  /** When the chat goes idle: `idleTimeoutMs` after the last accepted message either way. */
  idleDeadline(): number {
    return ms(this.state.lastActivityAt) + this.input.settings.idleTimeoutMs;
  }

  isIdle(): boolean {
    return Date.now() >= this.idleDeadline();
  }

  /** After `maxMessagesPerRun` accepted updates, or when Temporal finds the history long. */
  continueAsNewDue(): boolean {
    return this.updatesInRun >= this.input.settings.maxMessagesPerRun || workflowInfo().continueAsNewSuggested;
  }

  // ─── Hand-overs: called after the last await, with no handler in flight ─────────────────

  /** The same chat in a new run, with its phase and queues. */
  nextRunInput(): ChatSessionInput {
    return { ...this.input, carried: { ...this.state, phase: this.phaseNow } };
  }

  /** The contact's next chat, opened by messages that came once END was asked for (or null). */
  nextChatInput(): ChatSessionInput | null {
    const { next } = this.state;
    if (!next) return null;
    return {
      ...this.input,
      carried: {
        chatId: next.chatId,
        phase: 'OPEN',
        closedReason: null,
        openedAt: next.openedAt,
        lastInboundAt: next.lastInboundAt,
        // Its idle clock starts when it runs: its first messages may have waited for a long END.
        lastActivityAt: iso(Date.now()),
        deliveries: next.deliveries,
        replies: [],
        acceptedTotal: next.deliveries.length,
        listed: next.listed,
        next: null,
      },
    };
  }

  summary(): ChatSummary {
    return {
      chatId: this.state.chatId,
      closedReason: this.state.closedReason ?? 'CLIENT_END',
      acceptedTotal: this.state.acceptedTotal,
    };
  }

  /** The chat read model's row of the chat a message joins, written by that message's accept. */
  private listedRecord(target: InboundTarget, acceptedAt: string): ChatOpenedRecord {
    const { input } = this;
    const windowExpiresAt = input.channel === 'WHATSAPP' ? iso(ms(acceptedAt) + input.settings.whatsappWindowMs) : null;
    return {
      chatId: target.chatId,
      workflowId: workflowInfo().workflowId,
      tenantId: input.tenantId,
      integrationId: input.integrationId,
      contact: input.contact,
      channel: input.channel,
      connectionCode: input.connectionCode,
      sender: input.sender,
      openedAt: target.openedAt,
      lastInboundAt: acceptedAt,
      windowExpiresAt,
    };
  }

  private inboundTarget(): InboundTarget {
    if (this.phaseNow === 'OPEN') return this.state;
    const now = iso(Date.now());
    this.state.next ??= { chatId: uuid4(), openedAt: now, lastInboundAt: now, deliveries: [], listed: false };
    return this.state.next;
  }

  // ─── Queues ──────────────────────────────────────────────────────────────────────────────

  /**
   * Delivers the queued webhook events one at a time, in order, until END went out or the run
   * ends. `deliver` resolves 'PAUSED' when it stopped a series for the run's end (carried on).
   */
  async deliverInOrder(deliver: (delivery: QueuedDelivery) => Promise<'DONE' | 'PAUSED'>): Promise<void> {
    const queue = this.state.deliveries;
    for (;;) {
      const ready = () => queue.length > 0 && !this.writing.has(queue[0]!.deliveryId);
      await condition(() => ready() || this.isRunEnding || this.phaseNow === 'CLOSED');
      // A head still being written is left for its handler, which the hand-over waits for.
      const head = ready() && this.phaseNow !== 'CLOSED' ? queue[0]! : undefined;
      if (!head || (await deliver(head)) === 'PAUSED') return;
      queue.shift();
      if (head.event === 'END') return this.endDelivered();
    }
  }

  /** Sends the queued replies one at a time, in order, until the run ends, or the chat closed and nothing is left. */
  async sendInOrder(send: (reply: PendingReply) => Promise<void>): Promise<void> {
    const queue = this.state.replies;
    for (;;) {
      await condition(() => queue.length > 0 || this.isRunEnding || this.phaseNow === 'CLOSED');
      if (queue.length === 0 || this.isRunEnding) return;
      await send(queue[0]!);
      queue.shift();
    }
  }
}
