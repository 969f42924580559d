/**
 * One chat's state and rules, apart from the workflow that drives it (chat-lifecycle.ts): what
 * the update validators accept, what the handlers change, the two queues (webhook deliveries to
 * the client, replies to the carrier) and the clocks (WhatsApp window, idle timeout,
 * continue-as-new). Everything here runs inside the workflow, so it reads time and randomness
 * only through the workflow sandbox (`Date.now()`, `uuid4()`), which replays them.
 */
import { ApplicationFailure, condition, uuid4, workflowInfo } from '@temporalio/workflow';
import {
  FailureType,
  type ChatCarriedState,
  type ChatClosedReason,
  type ChatSnapshot,
  type ChatSummary,
  type ChatWorkflowInput,
  type InboundAccepted,
  type InboundMessage,
  type PendingDelivery,
  type PendingReply,
  type ReplyAccepted,
  type ReplyRequest,
} from '../contract.js';

/** How many recent carrier message ids a chat remembers to drop a carrier's retries. */
export const SEEN_MESSAGE_IDS_KEPT = 2_000;

const iso = (ms: number) => new Date(ms).toISOString();
const ms = (isoText: string) => new Date(isoText).getTime();

function rejected(type: FailureType, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

export class ChatSession {
  /** What a next run gets when the chat continues as new. */
  readonly state: ChatCarriedState;
  /** False for a run that continues a chat: the chat was opened (and recorded) by the first run. */
  readonly isNew: boolean;
  private acceptedInRun = 0;
  /** Set once the run must end: the queues stop after their current item. */
  private runEnding = false;
  private readonly seen: Set<string>;

  constructor(private readonly input: ChatWorkflowInput) {
    const now = Date.now();
    this.isNew = !input.carried;
    this.state = input.carried ?? {
      chatId: uuid4(),
      openedAt: iso(now),
      lastInboundAt: iso(now),
      lastActivityAt: iso(now),
      status: 'OPEN',
      closedReason: null,
      deliveries: [],
      replies: [],
      seenMessageIds: [],
      acceptedTotal: 0,
    };
    this.seen = new Set(this.state.seenMessageIds);
  }

  get isOpen(): boolean {
    return this.state.status === 'OPEN';
  }

  /** WhatsApp only: replies are allowed until `whatsappWindowMs` after the contact's last message. */
  windowExpiresAt(): string | null {
    return this.input.channel === 'WHATSAPP' ? iso(ms(this.state.lastInboundAt) + this.input.settings.whatsappWindowMs) : null;
  }

  // ─── Inbound (MO) ────────────────────────────────────────────────────────────────────────

  validateInbound(_message: InboundMessage): void {
    // A closing chat takes no more messages: the caller waits for it to end and opens a new one.
    if (!this.isOpen) rejected(FailureType.CHAT_CLOSING, 'this chat is closing');
  }

  /** Queues a MESSAGE delivery and restarts the window; a carrier's retry is answered, not queued. */
  receiveInbound(message: InboundMessage): InboundAccepted {
    if (this.seen.has(message.messageId)) return { ...this.inboundResult(), duplicate: true };
    this.remember(message.messageId);
    this.state.lastInboundAt = iso(Date.now());
    this.accepted();
    this.queueDelivery({
      event: 'MESSAGE',
      text: message.text,
      multimedia: { url: message.media?.url ?? null, caption: message.media?.caption ?? null },
      sender: message.sender,
      timestamp: message.timestamp,
    });
    return { ...this.inboundResult(), duplicate: false };
  }

  // ─── Replies (MT) and END ────────────────────────────────────────────────────────────────

  validateReply(request: ReplyRequest): void {
    if (!this.isOpen) rejected(FailureType.CHAT_NOT_FOUND, 'this chat is closed');
    if (request.type === 'END') return;
    if (request.channel !== this.input.channel) {
      rejected(FailureType.UNKNOWN_SENDER, `this chat is on ${this.input.channel}, not ${request.channel}`);
    }
    const expires = this.windowExpiresAt();
    if (expires !== null && Date.now() > ms(expires)) {
      rejected(FailureType.WINDOW_CLOSED, `the 24-hour customer service window closed at ${expires}`);
    }
  }

  /** Queues a carrier send, or (END) starts closing the chat. */
  acceptReply(request: ReplyRequest): ReplyAccepted {
    const eventId = uuid4();
    this.accepted();
    if (request.type === 'END') this.close('CLIENT_END');
    else {
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

  // ─── Closing, idleness, continue-as-new ──────────────────────────────────────────────────

  /** CLOSING: an END delivery is queued after everything already queued; nothing new is taken. */
  close(reason: ChatClosedReason): void {
    this.state.status = 'CLOSING';
    this.state.closedReason = reason;
    this.queueDelivery({ event: 'END', text: null, multimedia: { url: null, caption: null }, sender: this.input.sender, timestamp: iso(Date.now()) });
  }

  /** When the chat goes idle: `idleTimeoutMs` after the last accepted message either way. */
  idleDeadline(): number {
    return ms(this.state.lastActivityAt) + this.input.settings.idleTimeoutMs;
  }

  isIdle(): boolean {
    return Date.now() >= this.idleDeadline();
  }

  /** After `maxMessagesPerRun` accepted messages, or when Temporal finds the history long. */
  continueAsNewDue(): boolean {
    return this.acceptedInRun >= this.input.settings.maxMessagesPerRun || workflowInfo().continueAsNewSuggested;
  }

  /** The queues stop after their current item, so the rest is carried to the next run. */
  endRun(): void {
    this.runEnding = true;
  }

  /** The next run's input: the same chat, with its state and queues. */
  nextRunInput(): ChatWorkflowInput {
    return { ...this.input, carried: this.state };
  }

  summary(): ChatSummary {
    return { chatId: this.state.chatId, closedReason: this.state.closedReason ?? 'CLIENT_END', acceptedTotal: this.state.acceptedTotal };
  }

  // ─── Queues ──────────────────────────────────────────────────────────────────────────────

  /** Delivers the queued webhook events, one at a time in order, until the run ends or the chat closes. */
  deliverInOrder(deliver: (delivery: PendingDelivery) => Promise<void>): Promise<void> {
    return this.drain(this.state.deliveries, deliver);
  }

  /** Sends the queued replies, one at a time in order, until the run ends or the chat closes. */
  sendInOrder(send: (reply: PendingReply) => Promise<void>): Promise<void> {
    return this.drain(this.state.replies, send);
  }

  /** Works through one queue in order; stops after the current item when the run must end. */
  private async drain<T>(queue: T[], work: (item: T) => Promise<void>): Promise<void> {
    for (;;) {
      await condition(() => queue.length > 0 || this.runEnding || this.state.status === 'CLOSING');
      if (this.runEnding || queue.length === 0) return;
      await work(queue[0]!);
      queue.shift();
    }
  }

  private inboundResult() {
    return { chatId: this.state.chatId, openedAt: this.state.openedAt, lastInboundAt: this.state.lastInboundAt, windowExpiresAt: this.windowExpiresAt() };
  }

  private remember(messageId: string): void {
    const { seenMessageIds } = this.state;
    this.seen.add(messageId);
    seenMessageIds.push(messageId);
    if (seenMessageIds.length > SEEN_MESSAGE_IDS_KEPT) this.seen.delete(seenMessageIds.shift()!);
  }

  private accepted(): void {
    this.acceptedInRun += 1;
    this.state.acceptedTotal += 1;
    this.state.lastActivityAt = iso(Date.now());
  }

  private queueDelivery(event: Omit<PendingDelivery['event'], 'chatId' | 'contact' | 'channel'>): void {
    const { input, state } = this;
    state.deliveries.push({
      deliveryId: `msg_${uuid4().replace(/-/g, '')}`,
      event: { ...event, chatId: state.chatId, contact: input.contact, channel: input.channel },
      createdAt: iso(Date.now()),
    });
  }
}
