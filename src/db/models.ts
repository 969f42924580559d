import type { Connection } from 'mongoose';
import { createCampaignModel, type CampaignModel } from './schemas/campaigns.js';
import { createChatModel, type ChatModel } from './schemas/chats.js';
import { createConnectionModel, type ConnectionModel } from './schemas/connections.js';
import { createDeliveryModel, type DeliveryModel } from './schemas/deliveries.js';
import { createDeliveryAttemptRowModel, type DeliveryAttemptRowModel } from './schemas/delivery-attempts.js';
import { createDeliveryPayloadModel, type DeliveryPayloadModel } from './schemas/delivery-payloads.js';
import { createIdempotencyRecordModel, type IdempotencyRecordModel } from './schemas/idempotency-records.js';
import { createInboundReceiptModel, type InboundReceiptModel } from './schemas/inbound-receipts.js';
import { createIntegrationModel, type IntegrationModel } from './schemas/integrations.js';
import { createIntegrationTemplateModel, type IntegrationTemplateModel } from './schemas/integration-templates.js';
import { createOutboundMessageModel, type OutboundMessageModel } from './schemas/outbound-messages.js';
import { createReservationModel, type ReservationModel } from './schemas/reservations.js';
import { createSenderClaimModel, type SenderClaimModel } from './schemas/sender-claims.js';
import { createSenderOwnershipModel, type SenderOwnershipModel } from './schemas/sender-ownerships.js';
import { createTenantModel, type TenantModel } from './schemas/tenants.js';

/**
 * Every collection has its schema file (schemas/): schema, indexes, model and the document type
 * mongoose infers from the schema (so the schemas state closed value sets with `enum`, and
 * presence with `required` or `allowNull: false`: the type cannot drift from what is stored).
 * The models are private to src/db: the repositories (one module per aggregate) hold every
 * query. Persistence stays within inserts, plain finds and (unique) indexes so the same code runs
 * on MongoDB and on FerretDB (no transactions, no TTL indexes, no $lookup).
 */
export interface Models {
  Tenant: TenantModel;
  Connection: ConnectionModel;
  Reservation: ReservationModel;
  Integration: IntegrationModel;
  IntegrationTemplate: IntegrationTemplateModel;
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
    IntegrationTemplate: createIntegrationTemplateModel(db),
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
  for (const model of Object.values(models) as Array<{ createIndexes(): Promise<unknown> }>)
    await model.createIndexes();
}
