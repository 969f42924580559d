import { insertOnce } from './duplicate-key.js';
import type { Models } from './models.js';
import type { InboundReceiptDoc } from './schemas/inbound-receipts.js';

export type { InboundReceiptDoc };

/** How long a (connection, messageId) answers as a duplicate (SPEC 3), across chats. */
export const INBOUND_RECEIPT_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

/** A newline cannot occur in a connection code, so the pair maps to one key and back. */
export const inboundReceiptId = (connectionCode: string, messageId: string) => `${connectionCode}\n${messageId}`;

export const isReceiptCurrent = (receipt: { createdAt: Date }, nowMs: number) =>
  nowMs - receipt.createdAt.getTime() < INBOUND_RECEIPT_WINDOW_MS;

export interface ReceiptRequest {
  connectionCode: string;
  messageId: string;
  chatId: string;
  deliveryId: string;
  createdAt: Date;
}

/**
 * `OURS`: this delivery holds the message (new, our own retry, or an expired receipt replaced);
 * `TAKEN`: the delivery that took it first, within the window; `UNSETTLED`: the receipt kept
 * changing under us (concurrent replacements), for the caller to try again later.
 */
export type ReceiptOutcome =
  { kind: 'OURS' } | { kind: 'TAKEN'; chatId: string; deliveryId: string } | { kind: 'UNSETTLED' };

/** Receipts of accepted carrier messages: the insert is the de-duplication, a look-up an `_id` equality. */
export function createReceiptRepository(models: Pick<Models, 'InboundReceipt'>) {
  const { InboundReceipt } = models;
  return {
    /** The receipt of a message accepted within the last 7 days, or null (never seen, or expired). */
    async find(
      connectionCode: string,
      messageId: string,
      nowMs = Date.now(),
    ): Promise<{ chatId: string; deliveryId: string; createdAt: Date } | null> {
      const receipt = await InboundReceipt.findById(
        inboundReceiptId(connectionCode, messageId),
      ).lean<InboundReceiptDoc>();
      if (!receipt || !isReceiptCurrent(receipt, nowMs)) return null;
      return { chatId: receipt.chatId, deliveryId: receipt.deliveryId, createdAt: receipt.createdAt };
    },

    /**
     * Takes (connection, messageId) for this delivery; the unique `_id` decides. An expired
     * receipt is replaced in place, guarded by the delivery it named (no TTL index: FerretDB has none).
     */
    async take(request: ReceiptRequest): Promise<ReceiptOutcome> {
      const receipt: InboundReceiptDoc = {
        _id: inboundReceiptId(request.connectionCode, request.messageId),
        chatId: request.chatId,
        deliveryId: request.deliveryId,
        createdAt: request.createdAt,
      };
      const nowMs = receipt.createdAt.getTime();
      for (let round = 0; round < 3; round += 1) {
        if (await insertOnce(() => InboundReceipt.create(receipt))) return { kind: 'OURS' };
        const existing = await InboundReceipt.findById(receipt._id).lean<InboundReceiptDoc>();
        if (!existing) continue;
        if (existing.deliveryId === receipt.deliveryId) return { kind: 'OURS' };
        if (isReceiptCurrent(existing, nowMs))
          return { kind: 'TAKEN', chatId: existing.chatId, deliveryId: existing.deliveryId };
        const replaced = await InboundReceipt.replaceOne(
          { _id: receipt._id, deliveryId: existing.deliveryId },
          receipt,
        );
        if (replaced.matchedCount === 1) return { kind: 'OURS' };
      }
      return { kind: 'UNSETTLED' };
    },
  };
}

export type ReceiptRepository = ReturnType<typeof createReceiptRepository>;
