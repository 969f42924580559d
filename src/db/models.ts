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
  responseTokenHash: string;
  responseTokenSealed: string;
  signingSecretSealed: string;
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
    responseTokenHash: { type: String, required: true, unique: true },
    responseTokenSealed: { type: String, required: true },
    signingSecretSealed: { type: String, required: true },
  },
  { timestamps: true, versionKey: false },
);
integrationSchema.index({ 'connections.code': 1 });

export interface Models {
  Tenant: Model<TenantDoc>;
  Connection: Model<ConnectionDoc>;
  Reservation: Model<ReservationDoc>;
  Integration: Model<IntegrationDoc>;
}

export function createModels(db: Connection): Models {
  return {
    Tenant: db.model<TenantDoc>('Tenant', tenantSchema),
    Connection: db.model<ConnectionDoc>('Connection', connectionSchema),
    Reservation: db.model<ReservationDoc>('Reservation', reservationSchema),
    Integration: db.model<IntegrationDoc>('Integration', integrationSchema),
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
