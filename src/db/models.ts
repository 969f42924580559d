import mongoose, { type Connection } from 'mongoose';
import { createCampaignModel, type CampaignModel } from './campaigns.js';
import { createChatModel, type ChatModel } from './chats.js';
import { createConnectionModel, type ConnectionModel } from './connections.js';
import { createDeliveryModel, type DeliveryModel } from './deliveries.js';
import { createDeliveryAttemptRowModel, type DeliveryAttemptRowModel } from './delivery-attempts.js';
import { createDeliveryPayloadModel, type DeliveryPayloadModel } from './delivery-payloads.js';
import { createIdempotencyRecordModel, type IdempotencyRecordModel } from './idempotency-records.js';
import { createInboundReceiptModel, type InboundReceiptModel } from './inbound-receipts.js';
import { createIntegrationModel, type IntegrationModel } from './integrations.js';
import { createOutboundMessageModel, type OutboundMessageModel } from './outbound-messages.js';
import { createReservationModel, type ReservationModel } from './reservations.js';
import { createSenderClaimModel, type SenderClaimModel } from './sender-claims.js';
import { createSenderOwnershipModel, type SenderOwnershipModel } from './sender-ownerships.js';
import { createTenantModel, type TenantModel } from './tenants.js';

/**
 * Every collection has its file: schema, indexes, model and the document type mongoose infers
 * from the schema (so the schemas state closed value sets with `enum`, and presence with
 * `required` or `allowNull: false`: the type cannot drift from what is stored). Persistence stays
 * within inserts, plain finds and (unique) indexes so the same code runs on MongoDB and on
 * FerretDB (no transactions, no TTL indexes, no $lookup).
 */
export type { CampaignDoc } from './campaigns.js';
export type { ChatDoc } from './chats.js';
export type { ConnectionDoc } from './connections.js';
export type { DeliveryDoc } from './deliveries.js';
export type { AttemptLogSummary, DeliveryAttemptRowDoc } from './delivery-attempts.js';
export type { DeliveryPayloadDoc } from './delivery-payloads.js';
export type { IdempotencyRecordDoc } from './idempotency-records.js';
export type { InboundReceiptDoc } from './inbound-receipts.js';
export type { ConnectionStatusRecord, FieldRecord, IntegrationDoc, StoredAuth } from './integrations.js';
export type { OutboundMessageDoc } from './outbound-messages.js';
export type { ReservationDoc } from './reservations.js';
export type { ClaimHolderKind, SenderClaimDoc } from './sender-claims.js';
export type { SenderOwnershipDoc } from './sender-ownerships.js';
export type { TenantDoc } from './tenants.js';
export { isDuplicateKeyError } from './duplicate-key.js';

export interface Models {
  Tenant: TenantModel;
  Connection: ConnectionModel;
  Reservation: ReservationModel;
  Integration: IntegrationModel;
  SenderClaim: SenderClaimModel;
  SenderOwnership: SenderOwnershipModel;
  Campaign: CampaignModel;
  Chat: ChatModel;
  Delivery: DeliveryModel;
  OutboundMessage: OutboundMessageModel;
  IdempotencyRecord: IdempotencyRecordModel;
  InboundReceipt: InboundReceiptModel;
  DeliveryPayload: DeliveryPayloadModel;
  DeliveryAttemptRow: DeliveryAttemptRowModel;
}

export function createModels(db: Connection): Models {
  return {
    Tenant: createTenantModel(db),
    Connection: createConnectionModel(db),
    Reservation: createReservationModel(db),
    Integration: createIntegrationModel(db),
    SenderClaim: createSenderClaimModel(db),
    SenderOwnership: createSenderOwnershipModel(db),
    Campaign: createCampaignModel(db),
    Chat: createChatModel(db),
    Delivery: createDeliveryModel(db),
    OutboundMessage: createOutboundMessageModel(db),
    IdempotencyRecord: createIdempotencyRecordModel(db),
    InboundReceipt: createInboundReceiptModel(db),
    DeliveryPayload: createDeliveryPayloadModel(db),
    DeliveryAttemptRow: createDeliveryAttemptRowModel(db),
  };
}

/** Creates the indexes (unique ones guard correctness, so this runs before serving). */
export async function ensureIndexes(models: Models): Promise<void> {
  for (const model of Object.values(models) as Array<{ createIndexes(): Promise<unknown> }>) await model.createIndexes();
}

/** One finished database command, as the driver's command monitoring reports it. */
export interface DbCommandTiming {
  command: string;
  collection: string;
  durationMs: number;
  failed: boolean;
}

export async function connectDatabase(uri: string, options: { onCommand?: (timing: DbCommandTiming) => void } = {}): Promise<Connection> {
  const { onCommand } = options;
  const db = mongoose.createConnection(uri, { serverSelectionTimeoutMS: 5_000, autoIndex: false, monitorCommands: Boolean(onCommand) });
  if (onCommand) {
    // The driver's started event names the collection; the finished one only carries its request id.
    const collections = new Map<number, string>();
    const client = db.getClient();
    client.on('commandStarted', (event) => {
      const target = event.command[event.commandName] as unknown;
      collections.set(event.requestId, typeof target === 'string' ? target : '-');
    });
    const finished = (failed: boolean) => (event: { requestId: number; commandName: string; duration: number }) => {
      const collection = collections.get(event.requestId) ?? '-';
      collections.delete(event.requestId);
      onCommand({ command: event.commandName, collection, durationMs: event.duration, failed });
    };
    client.on('commandSucceeded', finished(false));
    client.on('commandFailed', finished(true));
  }
  await db.asPromise();
  return db;
}
