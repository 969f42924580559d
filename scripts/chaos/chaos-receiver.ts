/**
 * The client endpoint under test: counts every request it accepts by `webhook-id`, remembers
 * which message (the first word of `text`) each id carried and the arrival order per chat,
 * records each chat's END, and can be switched at run time to refuse (503), throttle (429,
 * Retry-After: 0) or stall.
 */
import { createServer, type Server } from 'node:http';

export type ReceiverMode =
  { kind: 'ok' } | { kind: 'unavailable' } | { kind: 'throttled' } | { kind: 'slow'; delayMs: number };

export interface AcceptedRequest {
  webhookId: string;
  messageId: string;
  chatId: string;
  count: number;
  firstAt: number;
}

/** A chat's END as the client processed it: when it first came, under which webhook-ids, how often. */
export interface EndArrival {
  chatId: string;
  contact: string;
  firstAt: number;
  webhookIds: Set<string>;
  count: number;
}

export class ChaosReceiver {
  private mode: ReceiverMode = { kind: 'ok' };
  /** Requests answered 2xx, by webhook-id: what the client system processed. */
  readonly accepted = new Map<string, AcceptedRequest>();
  /** webhook-ids that carried each message id (more than one is a double acceptance upstream). */
  readonly webhookIdsByMessage = new Map<string, Set<string>>();
  /** First arrivals per chat, in order. */
  readonly orderByChat = new Map<string, string[]>();
  /** END events processed, by chat. */
  readonly endsByChat = new Map<string, EndArrival>();
  refused = 0;
  endEvents = 0;
  /**
   * How long the answer to an END is held (processed on arrival, answered later): a window in
   * which the chat's END is at the client but not yet recorded as delivered by chathook.
   */
  endAnswerDelayMs = 0;
  private readonly endListeners = new Set<(end: EndArrival) => void>();
  private constructor(private readonly server: Server) {}

  static async start(): Promise<ChaosReceiver> {
    const server = createServer();
    const receiver = new ChaosReceiver(server);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const mode = receiver.mode;
        if (mode.kind === 'unavailable') {
          receiver.refused += 1;
          res.writeHead(503).end();
          return;
        }
        if (mode.kind === 'throttled') {
          receiver.refused += 1;
          res.writeHead(429, { 'retry-after': '0' }).end();
          return;
        }
        // Processed on arrival: a slow answer that the sender gives up on was still processed.
        const wasEnd = receiver.record(String(req.headers['webhook-id'] ?? ''), Buffer.concat(chunks).toString('utf8'));
        const delayMs = (mode.kind === 'slow' ? mode.delayMs : 0) + (wasEnd ? receiver.endAnswerDelayMs : 0);
        if (delayMs > 0) setTimeout(() => res.writeHead(200).end(), delayMs);
        else res.writeHead(200).end();
      });
    });
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  setMode(mode: ReceiverMode): void {
    this.mode = mode;
  }

  /** Called with every END the first time its chat's END arrives; returns the unsubscribe. */
  onEnd(listener: (end: EndArrival) => void): () => void {
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  /** Resolves with the chat's END once it arrived (at once if it did), or undefined after `timeoutMs`. */
  waitForEnd(chatId: string, timeoutMs: number): Promise<EndArrival | undefined> {
    const known = this.endsByChat.get(chatId);
    if (known) return Promise.resolve(known);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        unsubscribe();
        resolve(undefined);
      }, timeoutMs);
      const unsubscribe = this.onEnd((end) => {
        if (end.chatId !== chatId) return;
        clearTimeout(timer);
        unsubscribe();
        resolve(end);
      });
    });
  }

  /** Records one processed request; true when it was an END. */
  private record(webhookId: string, body: string): boolean {
    let event: { event?: string; chatId?: string; contact?: string; text?: string | null } = {};
    try {
      event = JSON.parse(body) as typeof event;
    } catch {
      // Not the default body: counted under its webhook-id with no message.
    }
    if (event.event === 'END') {
      this.endEvents += 1;
      this.recordEnd(webhookId, event.chatId ?? '', event.contact ?? '');
      return true;
    }
    const seen = this.accepted.get(webhookId);
    if (seen) {
      seen.count += 1;
      return false;
    }
    const messageId = (event.text ?? '').split(' ')[0] ?? '';
    const chatId = event.chatId ?? '';
    this.accepted.set(webhookId, { webhookId, messageId, chatId, count: 1, firstAt: Date.now() });
    const ids = this.webhookIdsByMessage.get(messageId) ?? new Set<string>();
    ids.add(webhookId);
    this.webhookIdsByMessage.set(messageId, ids);
    const order = this.orderByChat.get(chatId) ?? [];
    order.push(messageId);
    this.orderByChat.set(chatId, order);
    return false;
  }

  private recordEnd(webhookId: string, chatId: string, contact: string): void {
    const known = this.endsByChat.get(chatId);
    if (known) {
      known.count += 1;
      known.webhookIds.add(webhookId);
      return;
    }
    const end: EndArrival = { chatId, contact, firstAt: Date.now(), webhookIds: new Set([webhookId]), count: 1 };
    this.endsByChat.set(chatId, end);
    for (const listener of [...this.endListeners]) listener(end);
  }

  /** How often a message reached the client, over every webhook-id it carried. */
  deliveriesOf(messageId: string): Array<{ webhookId: string; count: number }> {
    return [...(this.webhookIdsByMessage.get(messageId) ?? [])].map((webhookId) => ({
      webhookId,
      count: this.accepted.get(webhookId)?.count ?? 0,
    }));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
