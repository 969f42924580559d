import mongoose, { type Connection, type Model, type Types } from 'mongoose';

/**
 * Persistence stays within plain finds, updates and (unique) indexes so the same code runs on
 * MongoDB and on FerretDB (no transactions, no TTL indexes, no $lookup).
 */
const { Schema } = mongoose;

export interface FieldRecord {
  key: string;
  type: 'TEXT' | 'VARIABLE';
  value: string;
}

interface Timestamps {
  createdAt: Date;
  updatedAt: Date;
}

export interface TenantDoc extends Timestamps {
  _id: Types.ObjectId;
  name: string;
  apiKeyHash: string;
}

export interface ConnectionDoc extends Timestamps {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  code: string;
  channel: 'SMS' | 'WHATSAPP';
  senders: string[];
  carrier: { type: 'http' | 'sandbox'; url?: string; secretSealed?: string };
}

export interface ReservationDoc extends Timestamps {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  channel: 'SMS' | 'WHATSAPP';
  sender: string;
  feature: 'AUTO_REPLY' | 'KEYWORD_CAMPAIGN';
  label?: string;
}

export interface StoredAuth {
  type: 'NONE' | 'API_KEY' | 'BASIC' | 'BEARER';
  key?: string;
  in?: 'header' | 'query';
  username?: string;
  /** API key value, Basic password or Bearer token, sealed with the encryption key. */
  secretSealed?: string;
}

export interface IntegrationDoc extends Timestamps {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  alias: string;
  method: 'POST' | 'GET' | 'PUT' | 'DELETE';
  url: string;
  params: FieldRecord[];
  auth: StoredAuth;
  headers: FieldRecord[];
  body: FieldRecord[];
  connections: Array<{ code: string }>;
  status: 'INACTIVE' | 'ACTIVE';
  /** Set while an activation run owns the integration; a stop clears it to cancel that run. */
  activating?: boolean;
  /** Outcome of the last activation or stop, per connection (Connections Details). */
  connectionStatuses?: ConnectionStatusRecord[];
  responseTokenHash: string;
  responseTokenSealed: string;
  signingSecretSealed: string;
}

export interface ConnectionStatusRecord {
  code: string;
  status: 'ACTIVE' | 'FAILED' | 'INACTIVE';
  error?: { code: string; message: string } | null;
  at: Date;
}

export type ClaimHolderKind = 'INTEGRATION' | 'CAMPAIGN';

/** One active claimant per (channel, sender), platform-wide: the unique index is the guard. */
export interface SenderClaimDoc {
  _id: Types.ObjectId;
  channel: 'SMS' | 'WHATSAPP';
  sender: string;
  holderKind: ClaimHolderKind;
  holderId: Types.ObjectId;
  tenantId: Types.ObjectId;
  /** The integration's connection the claim came from (absent for campaigns). */
  connectionCode?: string;
  claimedAt: Date;
}

export interface CampaignDoc extends Timestamps {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  name: string;
  integrationId: Types.ObjectId;
  channel: 'SMS' | 'WHATSAPP';
  senders: string[];
  status: 'DRAFT' | 'LIVE' | 'PAUSED';
  integrationDate?: Date | null;
}

/** Read model of a chat; the chat workflow owns the state, this copy serves lists and look-ups. */
export interface ChatDoc {
  _id: Types.ObjectId;
  chatId: string;
  workflowId: string;
  tenantId: Types.ObjectId;
  integrationId: Types.ObjectId;
  contact: string;
  channel: 'SMS' | 'WHATSAPP';
  connectionCode: string;
  sender: string;
  status: 'OPEN' | 'CLOSED';
  openedAt: Date;
  lastInboundAt: Date;
  windowExpiresAt: Date | null;
  closedAt: Date | null;
}

export interface DeliveryAttempt {
  at: Date;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/** One client-webhook delivery (its id is the `webhook-id` header) and every attempt made. */
export interface DeliveryDoc {
  _id: Types.ObjectId;
  deliveryId: string;
  tenantId: Types.ObjectId;
  integrationId: Types.ObjectId;
  chatId: string;
  contact: string;
  event: 'MESSAGE' | 'END';
  /** The chat event rendered into the request, kept for replay. */
  payload: Record<string, unknown>;
  status: 'PENDING' | 'SUCCEEDED' | 'FAILED';
  createdAt: Date;
  attempts: DeliveryAttempt[];
  lastError: string | null;
}

/** A reply (MT) sent through a carrier; the sandbox carrier's messages are these records. */
export interface OutboundMessageDoc {
  _id: Types.ObjectId;
  eventId: string;
  tenantId: Types.ObjectId;
  integrationId: Types.ObjectId;
  chatId: string;
  connectionCode: string;
  carrierType: 'http' | 'sandbox';
  channel: 'SMS' | 'WHATSAPP';
  from: string;
  to: string;
  text: string;
  status: 'SENT' | 'FAILED';
  error: string | null;
  at: Date;
}

/** The first answer to a response-webhook request carrying an Idempotency-Key. */
export interface IdempotencyRecordDoc {
  _id: Types.ObjectId;
  integrationId: Types.ObjectId;
  key: string;
  requestHash: string;
  status: number;
  body: Record<string, unknown>;
  createdAt: Date;
}

const fieldSchema = new Schema({ key: String, type: { type: String }, value: String }, { _id: false });

const tenantSchema = new Schema<TenantDoc>(
  {
    name: { type: String, required: true },
    apiKeyHash: { type: String, required: true, unique: true },
  },
  { timestamps: true, versionKey: false },
);

const connectionSchema = new Schema<ConnectionDoc>(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true, index: true },
    code: { type: String, required: true, unique: true },
    channel: { type: String, required: true },
    senders: { type: [String], required: true },
    carrier: {
      type: { type: String, required: true },
      url: String,
      secretSealed: String,
    },
  },
  { timestamps: true, versionKey: false },
);

const reservationSchema = new Schema<ReservationDoc>(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true, index: true },
    channel: { type: String, required: true },
    sender: { type: String, required: true },
    feature: { type: String, required: true },
    label: String,
  },
  { timestamps: true, versionKey: false },
);
reservationSchema.index({ channel: 1, sender: 1 });

const integrationSchema = new Schema<IntegrationDoc>(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true, index: true },
    alias: { type: String, required: true },
    method: { type: String, required: true },
    url: { type: String, required: true },
    params: { type: [fieldSchema], default: [] },
    auth: {
      type: { type: String, required: true },
      key: String,
      in: String,
      username: String,
      secretSealed: String,
    },
    headers: { type: [fieldSchema], default: [] },
    body: { type: [fieldSchema], default: [] },
    connections: { type: [new Schema({ code: String }, { _id: false })], default: [] },
    status: { type: String, required: true, default: 'INACTIVE' },
    activating: { type: Boolean, default: false },
    connectionStatuses: {
      type: [
        new Schema(
          { code: String, status: String, error: { type: new Schema({ code: String, message: String }, { _id: false }), default: null }, at: Date },
          { _id: false },
        ),
      ],
      default: [],
    },
    responseTokenHash: { type: String, required: true, unique: true },
    responseTokenSealed: { type: String, required: true },
    signingSecretSealed: { type: String, required: true },
  },
  { timestamps: true, versionKey: false },
);
integrationSchema.index({ 'connections.code': 1 });

const senderClaimSchema = new Schema<SenderClaimDoc>(
  {
    channel: { type: String, required: true },
    sender: { type: String, required: true },
    holderKind: { type: String, required: true },
    holderId: { type: Schema.Types.ObjectId, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    connectionCode: String,
    claimedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
senderClaimSchema.index({ channel: 1, sender: 1 }, { unique: true });
senderClaimSchema.index({ holderId: 1 });

const campaignSchema = new Schema<CampaignDoc>(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true, index: true },
    name: { type: String, required: true },
    integrationId: { type: Schema.Types.ObjectId, required: true, index: true },
    channel: { type: String, required: true },
    senders: { type: [String], required: true },
    status: { type: String, required: true, default: 'DRAFT' },
    integrationDate: { type: Date, default: null },
  },
  { timestamps: true, versionKey: false },
);

const chatSchema = new Schema<ChatDoc>(
  {
    chatId: { type: String, required: true, unique: true },
    workflowId: { type: String, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    integrationId: { type: Schema.Types.ObjectId, required: true },
    contact: { type: String, required: true },
    channel: { type: String, required: true },
    connectionCode: { type: String, required: true },
    sender: { type: String, required: true },
    status: { type: String, required: true },
    openedAt: { type: Date, required: true },
    lastInboundAt: { type: Date, required: true },
    windowExpiresAt: { type: Date, default: null },
    closedAt: { type: Date, default: null },
  },
  { versionKey: false },
);
chatSchema.index({ integrationId: 1, contact: 1, openedAt: -1 });
chatSchema.index({ integrationId: 1, status: 1 });

const deliverySchema = new Schema<DeliveryDoc>(
  {
    deliveryId: { type: String, required: true, unique: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    integrationId: { type: Schema.Types.ObjectId, required: true },
    chatId: { type: String, required: true },
    contact: { type: String, required: true },
    event: { type: String, required: true },
    payload: { type: Schema.Types.Mixed, required: true },
    status: { type: String, required: true },
    createdAt: { type: Date, required: true },
    attempts: {
      type: [new Schema({ at: Date, statusCode: { type: Number, default: null }, error: { type: String, default: null }, durationMs: Number }, { _id: false })],
      default: [],
    },
    lastError: { type: String, default: null },
  },
  { versionKey: false, minimize: false },
);
deliverySchema.index({ integrationId: 1, _id: 1 });
deliverySchema.index({ integrationId: 1, chatId: 1 });

const outboundMessageSchema = new Schema<OutboundMessageDoc>(
  {
    eventId: { type: String, required: true, unique: true },
    tenantId: { type: Schema.Types.ObjectId, required: true, index: true },
    integrationId: { type: Schema.Types.ObjectId, required: true },
    chatId: { type: String, required: true },
    connectionCode: { type: String, required: true },
    carrierType: { type: String, required: true },
    channel: { type: String, required: true },
    from: { type: String, required: true },
    to: { type: String, required: true },
    text: { type: String, required: true },
    status: { type: String, required: true },
    error: { type: String, default: null },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);

const idempotencyRecordSchema = new Schema<IdempotencyRecordDoc>(
  {
    integrationId: { type: Schema.Types.ObjectId, required: true },
    key: { type: String, required: true },
    requestHash: { type: String, required: true },
    status: { type: Number, required: true },
    body: { type: Schema.Types.Mixed, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);
idempotencyRecordSchema.index({ integrationId: 1, key: 1 }, { unique: true });

export interface Models {
  Tenant: Model<TenantDoc>;
  Connection: Model<ConnectionDoc>;
  Reservation: Model<ReservationDoc>;
  Integration: Model<IntegrationDoc>;
  SenderClaim: Model<SenderClaimDoc>;
  Campaign: Model<CampaignDoc>;
  Chat: Model<ChatDoc>;
  Delivery: Model<DeliveryDoc>;
  OutboundMessage: Model<OutboundMessageDoc>;
  IdempotencyRecord: Model<IdempotencyRecordDoc>;
}

export function createModels(db: Connection): Models {
  return {
    Tenant: db.model<TenantDoc>('Tenant', tenantSchema),
    Connection: db.model<ConnectionDoc>('Connection', connectionSchema),
    Reservation: db.model<ReservationDoc>('Reservation', reservationSchema),
    Integration: db.model<IntegrationDoc>('Integration', integrationSchema),
    SenderClaim: db.model<SenderClaimDoc>('SenderClaim', senderClaimSchema),
    Campaign: db.model<CampaignDoc>('Campaign', campaignSchema),
    Chat: db.model<ChatDoc>('Chat', chatSchema),
    Delivery: db.model<DeliveryDoc>('Delivery', deliverySchema),
    OutboundMessage: db.model<OutboundMessageDoc>('OutboundMessage', outboundMessageSchema),
    IdempotencyRecord: db.model<IdempotencyRecordDoc>('IdempotencyRecord', idempotencyRecordSchema),
  };
}

/** Creates the indexes (unique ones guard correctness, so this runs before serving). */
export async function ensureIndexes(models: Models): Promise<void> {
  for (const model of Object.values(models) as Model<unknown>[]) await model.createIndexes();
}

export async function connectDatabase(uri: string): Promise<Connection> {
  const db = mongoose.createConnection(uri, { serverSelectionTimeoutMS: 5_000, autoIndex: false });
  await db.asPromise();
  return db;
}

export const isDuplicateKeyError = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;
