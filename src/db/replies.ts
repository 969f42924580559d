import type { Channel } from '../domain/webhook-template.js';
import { insertOr } from './duplicate-key.js';
import { asObjectId, type Id } from './ids.js';
import type { Models } from './models.js';
import { listPage, type Page, type PageQuery } from './pagination.js';
import type { OutboundMessageDoc } from './schemas/outbound-messages.js';

export type { OutboundMessageDoc };

export interface OutboundMessage {
  eventId: string;
  tenantId: Id;
  integrationId: Id;
  chatId: string;
  connectionCode: string;
  carrierType: OutboundMessageDoc['carrierType'];
  channel: Channel;
  from: string;
  to: string;
  text: string;
}

export interface SendOutcome {
  status: OutboundMessageDoc['status'];
  error: string | null;
  at: Date;
}

/** Replies (MT) sent through a carrier, one row per eventId; the sandbox carrier's messages are these rows. */
export function createReplyRepository(models: Pick<Models, 'OutboundMessage'>) {
  const { OutboundMessage } = models;
  return {
    /**
     * Records a send's outcome. An insert, which stays cheap as the collection grows (an upsert
     * on the embedded FerretDB/SQLite engine scans it); a second outcome of the same eventId (a
     * send that failed, then succeeded on retry) finds the row and updates it.
     */
    async recordSend(message: OutboundMessage, outcome: SendOutcome): Promise<void> {
      await insertOr(
        async () => {
          await OutboundMessage.create({
            ...message,
            tenantId: asObjectId(message.tenantId),
            integrationId: asObjectId(message.integrationId),
            ...outcome,
          });
        },
        async () => {
          await OutboundMessage.updateOne({ eventId: message.eventId }, { $set: outcome });
        },
      );
    },

    /** What the sandbox carrier "sent" for the tenant. */
    listSandbox(tenantId: Id, query: PageQuery): Promise<Page<OutboundMessageDoc>> {
      return listPage(query, (range, limit) =>
        OutboundMessage.find({ tenantId, carrierType: 'sandbox', ...range })
          .sort({ _id: 1 })
          .limit(limit)
          .lean<OutboundMessageDoc[]>(),
      );
    },
  };
}

export type ReplyRepository = ReturnType<typeof createReplyRepository>;
