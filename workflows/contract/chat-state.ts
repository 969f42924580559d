/**
 * The chat's private carried state: what one run of the chat session workflow hands the next
 * (continue-as-new, or the contact's next chat) in ChatSessionInput.carried. Only the workflow
 * reads and writes it; it is in the contract because it travels through Temporal as input, so a
 * change to its shape must still read the state that runs already carry.
 */
import type { Channel } from '../../src/domain/webhook-template.js';

/** Replies waiting for their carrier that one chat holds (their text is in the workflow state, so it is bounded). */
export const MAX_PENDING_REPLIES = 50;

export interface PendingReply {
  eventId: string;
  channel: Channel;
  connectionCode: string;
  from: string;
  text: string;
  createdAt: string;
}

export type ChatClosedReason = 'CLIENT_END' | 'IDLE';

/** One event waiting in a chat's queue: its row holds the payload; this holds the attempt series' progress. */
export interface QueuedDelivery {
  deliveryId: string;
  event: 'MESSAGE' | 'END';
  /** Attempts made in the current series (carried across runs, so backoff and numbering go on). */
  attempts: number;
  /** When the series' first attempt started: DELIVERY_MAX_DURATION counts from it. */
  firstAttemptAt: string | null;
  /** The next attempt waits until then (backoff, Retry-After). */
  nextAttemptAt: string | null;
}

/**
 * Where a chat is in its life (SPEC section 6); every validator and handler decides by it.
 *   OPEN            — inbound messages join this chat; replies and END are accepted.
 *   CLOSE_REQUESTED — END was asked for (by the client, or idleness): from here on inbound
 *                     messages open the contact's next chat and replies are refused; the
 *                     workflow writes the END event's row.
 *   CLOSING         — END is queued after everything accepted before it; the queues drain.
 *   CLOSED          — END went out; the replies left are sent, the read model closes, then the
 *                     run hands over to the next chat (if messages came meanwhile) or completes.
 *                     Carried only by a run that ended while END's last attempt was in flight.
 */
export type ChatPhase = 'OPEN' | 'CLOSE_REQUESTED' | 'CLOSING' | 'CLOSED';

/** One chat's conversation as the run hands it to the next: ids and clocks only, never a message body but a reply's. */
export interface ChatSessionState {
  chatId: string;
  phase: ChatPhase;
  closedReason: ChatClosedReason | null;
  openedAt: string;
  lastInboundAt: string;
  /** The idle timeout counts from here: the last accepted message either way. */
  lastActivityAt: string;
  deliveries: QueuedDelivery[];
  replies: PendingReply[];
  acceptedTotal: number;
  /** True once the chat read model has this chat's row (written by an accept, before its 202). */
  listed: boolean;
  /** The contact's next chat, opened by messages that came once END was asked for. */
  next: NextChat | null;
}

/** Messages accepted for the contact's next chat while this one closes: that chat's first queue. */
export interface NextChat {
  chatId: string;
  openedAt: string;
  lastInboundAt: string;
  deliveries: QueuedDelivery[];
  listed: boolean;
}
