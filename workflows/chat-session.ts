/**
 * One chat's state and rules (chat sessions with an outbox), apart from the workflow that drives
 * them (chat-session-workflow.ts): what the update validators accept, what the handlers change,
 * the two queues (webhook deliveries to the client, replies to the carrier) and the clocks
 * (WhatsApp window, idle timeout, continue-as-new).
 *
 * Bounded by design: an accepted event's payload is written to the deliveries collection by an
 * activity before its update returns, and the state keeps only its id and the progress of
 * its attempt series; at most CHAT_MAX_PENDING events and MAX_PENDING_REPLIES replies wait.
 * Everything here runs inside the workflow sandbox, which replays time and randomness.
 */
import { ApplicationFailure, condition, patched, proxyActivities, proxyLocalActivities, uuid4, workflowInfo } from '@temporalio/workflow';
import type { ChathookActivities } from '../activities/index.js';
import {
  FailureType,
  MAX_PENDING_REPLIES,
  RECORD_LOCAL_ACTIVITY_OPTIONS,
  SEEN_MESSAGE_IDS_KEPT,
  type ChatClosedReason,
  type ChatOpenedRecord,
  type ChatSessionInput,
  type ChatSessionState,
  type ChatSnapshot,
  type ChatSummary,
  type InboundAccepted,
  type InboundMessage,
  type PendingReply,
  type QueuedDelivery,
  type ReplyAccepted,
  type ReplyRequest,
} from './contract.js';

const rowsByLocalActivity = proxyLocalActivities<ChathookActivities>(RECORD_LOCAL_ACTIVITY_OPTIONS);
const rowsByActivity = proxyActivities<ChathookActivities>({ startToCloseTimeout: '10s', retry: RECORD_LOCAL_ACTIVITY_OPTIONS.retry });

/**
 * The rows an update writes before it answers. First written by local activities; under load,
 * after a worker died, a chat's history did not always replay in the order it ran (an update
 * handler awaiting a local activity while the delivery loop scheduled an activity). Activities
 * resolve from their own history events, in order. Histories written before keep replaying.
 */
const ROWS_AS_ACTIVITIES = 'outbox-rows-as-activities';
const rowWriters = () => (patched(ROWS_AS_ACTIVITIES) ? rowsByActivity : rowsByLocalActivity);

/** CHAT_MAX_PENDING when the input predates the setting. */
const DEFAULT_MAX_PENDING_DELIVERIES = 1_000;

const iso = (ms: number) => new Date(ms).toISOString();
const ms = (isoText: string) => new Date(isoText).getTime();
const newDeliveryId = () => `msg_${uuid4().replace(/-/g, '')}`;
const queued = (deliveryId: string, event: QueuedDelivery['event']): QueuedDelivery => ({ deliveryId, event, attempts: 0, firstAttemptAt: null, nextAttemptAt: null });

function rejected(type: FailureType, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

/** A store that does not answer is the caller's 503, never a failed workflow task. */
function unavailable(what: string, error: unknown): never {
  throw ApplicationFailure.create({ type: FailureType.UNAVAILABLE, message: `${what}: ${error instanceof Error ? error.message : String(error)}`, nonRetryable: true });
}

/** The chat a message belongs to: this one, or (while this one closes) the contact's next one. */
interface InboundTarget {
  chatId: string;
  deliveries: QueuedDelivery[];
  seenMessageIds: string[];
}

export class ChatSession {
  readonly state: ChatSessionState;
  private acceptedInRun = 0;
  /** Set once the run must end: the queues stop after their current attempt. */
  private runEnding = false;
  /** END was asked for (by the client or idleness): no second close, no reply after it. */
  private closeRequested = false;
  private endDelivered = false;
  /** Inbound messages whose rows are being written: they count against the backlog already. */
  private accepting = 0;
  /** When the integration's receiver was last reported back (receiverRecovered). */
  private receiverRecoveredAt = 0;
  /** A new chat's row is written by its first accepted message's activity (recordOpenOnAccept). */
  private openOnAccept = false;

  constructor(private readonly input: ChatSessionInput) {
    const now = iso(Date.now());
    this.state = input.carried ?? {
      chatId: uuid4(),
      openedAt: now,
      lastInboundAt: now,
      lastActivityAt: now,
      status: 'OPEN',
      closedReason: null,
      deliveries: [],
      replies: [],
      seenMessageIds: [],
      acceptedTotal: 0,
      next: null,
      recordedOpen: false,
    };
    this.closeRequested = this.state.status === 'CLOSING';
  }

  /** The chat read model's row of this chat as it opens. */
  openedRecord(): ChatOpenedRecord {
    const { input, state } = this;
    return {
      chatId: state.chatId,
      workflowId: workflowInfo().workflowId,
      tenantId: input.tenantId,
      integrationId: input.integrationId,
      contact: input.contact,
      channel: input.channel,
      connectionCode: input.connectionCode,
      sender: input.sender,
      openedAt: state.openedAt,
      lastInboundAt: state.lastInboundAt,
      windowExpiresAt: this.windowExpiresAt(),
    };
  }

  /**
   * A chat started by its first message records its row in that message's accept activity
   * (before the 202), instead of an activity and a workflow task of its own.
   */
  recordOpenOnAccept(): void {
    this.openOnAccept = true;
  }

  get isOpen(): boolean {
    return this.state.status === 'OPEN';
  }

  /** WhatsApp only: replies are allowed until `whatsappWindowMs` after the contact's last message. */
  windowExpiresAt(): string | null {
    return this.input.channel === 'WHATSAPP' ? iso(ms(this.state.lastInboundAt) + this.input.settings.whatsappWindowMs) : null;
  }

  // ─── Inbound (MO) ────────────────────────────────────────────────────────────────────────

  /** Backpressure, never loss: past CHAT_MAX_PENDING undelivered events the carrier is asked to retry. */
  validateInbound(_message: InboundMessage): void {
    const limit = this.input.settings.maxPendingDeliveries ?? DEFAULT_MAX_PENDING_DELIVERIES;
    const pending = this.state.deliveries.length + (this.state.next?.deliveries.length ?? 0) + this.accepting;
    if (pending >= limit) rejected(FailureType.CHAT_BACKLOG, `this chat holds ${pending} undelivered events (CHAT_MAX_PENDING ${limit}); retry later`);
  }

  /**
   * Writes the message's row (payload, receipt) and queues its id. While this chat closes, the
   * message opens the contact's next chat instead, delivered after this chat's END.
   */
  async receiveInbound(message: InboundMessage): Promise<InboundAccepted> {
    const target = this.inboundTarget();
    const answer = (chatId: string, duplicate: boolean): InboundAccepted => ({ ...this.inboundResult(chatId, duplicate), callbackId: message.callbackId });
    if (target.seenMessageIds.includes(message.messageId)) return answer(target.chatId, true);
    remember(target.seenMessageIds, message.messageId);
    const deliveryId = newDeliveryId();
    const acceptedAt = iso(Date.now());
    this.accepting += 1;
    const openChat = this.openOnAccept && !this.state.recordedOpen && target === this.state ? this.openedRecord() : undefined;
    let result;
    try {
      result = await rowWriters().acceptInboundEvent({ deliveryId, tenantId: this.input.tenantId, integrationId: this.input.integrationId, chatId: target.chatId, contact: this.input.contact, message, acceptedAt, ...(openChat ? { openChat } : {}) });
      if (openChat) this.markRecordedOpen();
    } catch (error) {
      forget(target.seenMessageIds, message.messageId);
      unavailable('the message could not be recorded', error);
    } finally {
      this.accepting -= 1;
    }
    const orphan = result.duplicateOf && this.isOrphanOf(target, result.duplicateOf);
    if (result.duplicateOf && !orphan) return answer(result.duplicateOf.chatId, true);
    // An earlier acceptance of this message by this chat wrote its rows, but its update never
    // became durable (the worker or Temporal died first), so the chat never queued it: the
    // carrier's retry queues that same delivery now (same webhook-id), instead of dropping it.
    target.deliveries.push(queued(orphan ? result.duplicateOf!.deliveryId : deliveryId, 'MESSAGE'));
    if (target === this.state.next) return answer(target.chatId, false);
    this.state.lastInboundAt = acceptedAt;
    this.accepted();
    return answer(target.chatId, false);
  }

  // ─── Replies (MT) and END ────────────────────────────────────────────────────────────────

  validateReply(request: ReplyRequest): void {
    if (!this.isOpen || this.closeRequested) rejected(FailureType.CHAT_NOT_FOUND, 'this chat is closed');
    if (request.type === 'END') return;
    if (request.channel !== this.input.channel) {
      rejected(FailureType.UNKNOWN_SENDER, `this chat is on ${this.input.channel}, not ${request.channel}`);
    }
    const expires = this.windowExpiresAt();
    if (expires !== null && Date.now() > ms(expires)) {
      rejected(FailureType.WINDOW_CLOSED, `the 24-hour customer service window closed at ${expires}`);
    }
    // Reply texts live in the state until sent: their number is bounded so the state stays small.
    if (this.state.replies.length >= MAX_PENDING_REPLIES) {
      rejected(FailureType.CHAT_BACKLOG, `${this.state.replies.length} replies are waiting for the carrier; retry later`);
    }
  }

  /** Queues a carrier send, or (END) closes the chat. */
  async acceptReply(request: ReplyRequest): Promise<ReplyAccepted> {
    const eventId = uuid4();
    if (request.type === 'END') {
      await this.close('CLIENT_END');
    } else {
      const reply: PendingReply = {
        eventId,
        channel: request.channel,
        connectionCode: request.connectionCode || this.input.connectionCode,
        from: request.from,
        text: request.text,
        createdAt: iso(Date.now()),
      };
      this.state.replies.push(reply);
    }
    this.accepted();
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
      status: state.status,
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

  // ─── Closing, idleness, continue-as-new ──────────────────────────────────────────────────

  /**
   * CLOSING: the END event's row is written, then END is queued after everything already queued.
   * Messages accepted while the row is written still belong to this chat (they came before END).
   */
  async close(reason: ChatClosedReason): Promise<void> {
    if (this.closeRequested) return;
    this.closeRequested = true;
    const deliveryId = newDeliveryId();
    const closedAt = iso(Date.now());
    const { input } = this;
    try {
      await rowWriters().recordChatEvent({
        deliveryId,
        tenantId: input.tenantId,
        integrationId: input.integrationId,
        createdAt: closedAt,
        event: { event: 'END', chatId: this.state.chatId, contact: input.contact, channel: input.channel, sender: input.sender, text: null, multimedia: { url: null, caption: null }, timestamp: closedAt },
      });
    } catch (error) {
      this.closeRequested = false;
      unavailable('the chat could not be closed', error);
    }
    this.state.status = 'CLOSING';
    this.state.closedReason = reason;
    this.state.deliveries.push(queued(deliveryId, 'END'));
  }

  /** When the chat goes idle: `idleTimeoutMs` after the last accepted message either way. */
  idleDeadline(): number {
    return ms(this.state.lastActivityAt) + this.input.settings.idleTimeoutMs;
  }

  isIdle(): boolean {
    return Date.now() >= this.idleDeadline();
  }

  get isClosing(): boolean {
    return this.closeRequested;
  }

  /** After `maxMessagesPerRun` accepted messages, or when Temporal finds the history long. */
  continueAsNewDue(): boolean {
    return this.acceptedInRun >= this.input.settings.maxMessagesPerRun || workflowInfo().continueAsNewSuggested;
  }

  /** The queues stop after their current attempt (a retrying delivery's backoff is carried, not awaited). */
  endRun(): void {
    this.runEnding = true;
  }

  get isRunEnding(): boolean {
    return this.runEnding;
  }

  markRecordedOpen(): void {
    this.state.recordedOpen = true;
  }

  /** The next run's input: the same chat, with its state and queues. */
  nextRunInput(): ChatSessionInput {
    return { ...this.input, carried: this.state };
  }

  /** The contact's next chat, opened by messages that came while this one closed (or null). */
  nextChatInput(): ChatSessionInput | null {
    const { next } = this.state;
    if (!next) return null;
    return {
      ...this.input,
      carried: {
        chatId: next.chatId,
        openedAt: next.firstInboundAt,
        lastInboundAt: next.firstInboundAt,
        lastActivityAt: iso(Date.now()),
        status: 'OPEN',
        closedReason: null,
        deliveries: next.deliveries,
        replies: [],
        seenMessageIds: next.seenMessageIds,
        acceptedTotal: next.deliveries.length,
        next: null,
        recordedOpen: false,
      },
    };
  }

  summary(): ChatSummary {
    return { chatId: this.state.chatId, closedReason: this.state.closedReason ?? 'CLIENT_END', acceptedTotal: this.state.acceptedTotal };
  }

  // ─── Queues ──────────────────────────────────────────────────────────────────────────────

  /**
   * Delivers the queued webhook events one at a time, in order, until the run ends or END went
   * out. `deliver` resolves 'PAUSED' when it stopped a series for the run's end (carried on).
   */
  async deliverInOrder(deliver: (delivery: QueuedDelivery) => Promise<'DONE' | 'PAUSED'>): Promise<void> {
    const queue = this.state.deliveries;
    for (;;) {
      await condition(() => queue.length > 0 || this.runEnding || this.endDelivered);
      if (this.endDelivered || queue.length === 0) return;
      const head = queue[0]!;
      if ((await deliver(head)) === 'PAUSED') return;
      queue.shift();
      if (head.event === 'END') this.endDelivered = true;
    }
  }

  /** Sends the queued replies one at a time, in order, until the run ends or the chat closed. */
  async sendInOrder(send: (reply: PendingReply) => Promise<void>): Promise<void> {
    const queue = this.state.replies;
    for (;;) {
      await condition(() => queue.length > 0 || this.runEnding || this.endDelivered);
      if (queue.length === 0 || (this.runEnding && !this.endDelivered)) return;
      await send(queue[0]!);
      queue.shift();
    }
  }

  /** True once END went out: the run closes (and may open the contact's next chat). */
  get isClosed(): boolean {
    return this.endDelivered;
  }

  /** Written for this chat, yet neither remembered nor queued by it: its accepting update was lost. */
  private isOrphanOf(target: InboundTarget, first: { chatId: string; deliveryId: string }): boolean {
    return first.chatId === target.chatId && !target.deliveries.some((delivery) => delivery.deliveryId === first.deliveryId);
  }

  private inboundTarget(): InboundTarget {
    if (!this.closeRequested) return this.state;
    this.state.next ??= { chatId: uuid4(), deliveries: [], seenMessageIds: [], firstInboundAt: iso(Date.now()) };
    return this.state.next;
  }

  private inboundResult(chatId: string, duplicate: boolean): InboundAccepted {
    const next = this.state.next;
    if (next && chatId === next.chatId) {
      return { chatId, duplicate, openedAt: next.firstInboundAt, lastInboundAt: next.firstInboundAt, windowExpiresAt: null };
    }
    return { chatId, duplicate, openedAt: this.state.openedAt, lastInboundAt: this.state.lastInboundAt, windowExpiresAt: this.windowExpiresAt() };
  }

  private accepted(): void {
    this.acceptedInRun += 1;
    this.state.acceptedTotal += 1;
    this.state.lastActivityAt = iso(Date.now());
  }
}

function remember(seen: string[], messageId: string): void {
  seen.push(messageId);
  if (seen.length > SEEN_MESSAGE_IDS_KEPT) seen.shift();
}

function forget(seen: string[], messageId: string): void {
  const index = seen.lastIndexOf(messageId);
  if (index >= 0) seen.splice(index, 1);
}
