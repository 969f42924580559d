import mongoose, { type Connection, type InferRawDocTypeFromSchema } from 'mongoose';
import { fieldSchema } from './integrations.js';

const { Schema } = mongoose;

/**
 * The rows of an integration's webhook template (params, headers, body): the bulk of an
 * integration, kept out of the integrations collection so that the look-ups of the MO path and
 * of every tenant's reads do not wade through other tenants' templates (the embedded engine
 * scans; README, "The embedded store's look-ups"). Immutable: written once, read by `_id`,
 * deleted when replaced, so any process may keep a copy.
 */
const integrationTemplateSchema = Schema.create(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    integrationId: { type: Schema.Types.ObjectId, required: true },
    params: { type: [fieldSchema], default: [] },
    headers: { type: [fieldSchema], default: [] },
    body: { type: [fieldSchema], default: [] },
    bytes: { type: Number, required: true },
  },
  { versionKey: false, collection: 'integration_templates' },
);

export type IntegrationTemplateDoc = InferRawDocTypeFromSchema<typeof integrationTemplateSchema>;

export const createIntegrationTemplateModel = (db: Connection) =>
  db.model('IntegrationTemplate', integrationTemplateSchema);
export type IntegrationTemplateModel = ReturnType<typeof createIntegrationTemplateModel>;
