import mongoose, { type Connection, type InferRawDocTypeFromSchema } from 'mongoose';
import { HTTP_METHODS } from '../../domain/webhook-template.js';

const { Schema } = mongoose;

/** One param, header or body row of the client webhook template. */
export const fieldSchema = Schema.create(
  {
    key: { type: String, required: true },
    type: { type: String, enum: ['TEXT', 'VARIABLE'] as const, required: true },
    // A TEXT row may hold '' (which `required` refuses); every row is written with its value.
    value: { type: String, default: '' },
  },
  { _id: false },
);

const authSchema = Schema.create(
  {
    type: { type: String, enum: ['NONE', 'API_KEY', 'BASIC', 'BEARER'] as const, required: true },
    key: { type: String, allowNull: false },
    in: { type: String, enum: ['header', 'query'] as const, allowNull: false },
    username: { type: String, allowNull: false },
    /** API key value, Basic password or Bearer token, sealed with the encryption key. */
    secretSealed: { type: String, allowNull: false },
  },
  { _id: false },
);

/** The signing secret a rotation replaced: it still signs, beside the new one, until `expiresAt`. */
const previousSigningSecretSchema = Schema.create(
  {
    secretSealed: { type: String, required: true },
    expiresAt: { type: Date, required: true },
  },
  { _id: false },
);

const connectionErrorSchema = Schema.create(
  {
    code: { type: String, required: true },
    message: { type: String, required: true },
  },
  { _id: false },
);

/** Outcome of the last activation or stop of one connection (Connections Details). */
const connectionStatusSchema = Schema.create(
  {
    code: { type: String, required: true },
    status: { type: String, enum: ['ACTIVE', 'FAILED', 'INACTIVE'] as const, required: true },
    error: { type: connectionErrorSchema, default: null },
    at: { type: Date, required: true },
  },
  { _id: false },
);

const connectionRefSchema = Schema.create({ code: { type: String, required: true } }, { _id: false });

const integrationSchema = Schema.create(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true, index: true },
    alias: { type: String, required: true },
    method: { type: String, enum: HTTP_METHODS, required: true },
    url: { type: String, required: true },
    // The template rows of an integration written before templates had their own collection;
    // empty on every other (src/db/integrations.ts reads them from `templateId`).
    params: { type: [fieldSchema], default: [] },
    auth: { type: authSchema, required: true },
    headers: { type: [fieldSchema], default: [] },
    body: { type: [fieldSchema], default: [] },
    /** The integration template's rows (integration_templates), immutable: a PUT writes a new one. */
    templateId: { type: Schema.Types.ObjectId, allowNull: false },
    /** The stored size of those rows, summed for the tenant's template-bytes quota. */
    templateBytes: { type: Number, allowNull: false },
    connections: { type: [connectionRefSchema], default: [] },
    status: { type: String, enum: ['INACTIVE', 'ACTIVE'] as const, required: true, default: 'INACTIVE' },
    /** Set while an activation run owns the integration; a stop clears it to cancel that run. */
    activating: { type: Boolean, default: false },
    connectionStatuses: { type: [connectionStatusSchema], default: [] },
    responseTokenHash: { type: String, required: true, unique: true },
    responseTokenSealed: { type: String, required: true },
    signingSecretSealed: { type: String, required: true },
    previousSigningSecret: { type: previousSigningSecretSchema, default: null },
  },
  { timestamps: true, versionKey: false },
);
integrationSchema.index({ 'connections.code': 1 });

export type IntegrationDoc = InferRawDocTypeFromSchema<typeof integrationSchema>;
export type FieldRecord = InferRawDocTypeFromSchema<typeof fieldSchema>;
export type StoredAuth = InferRawDocTypeFromSchema<typeof authSchema>;
export type ConnectionStatusRecord = InferRawDocTypeFromSchema<typeof connectionStatusSchema>;

export const createIntegrationModel = (db: Connection) => db.model('Integration', integrationSchema);
export type IntegrationModel = ReturnType<typeof createIntegrationModel>;
