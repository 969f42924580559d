import mongoose, { type Connection, type InferRawDocTypeFromSchema } from 'mongoose';

const { Schema } = mongoose;

const tenantSchema = Schema.create(
  {
    name: { type: String, required: true },
    apiKeyHash: { type: String, required: true, unique: true },
    /** The operator's per-tenant overrides of the QUOTA_* defaults; a quota not listed takes its default. */
    quotas: {
      type: new Schema(
        {
          integrations: Number,
          connections: Number,
          sendersPerConnection: Number,
          reservations: Number,
          campaigns: Number,
          templateBytes: Number,
        },
        { _id: false },
      ),
      required: false,
    },
  },
  { timestamps: true, versionKey: false },
);

export type TenantDoc = InferRawDocTypeFromSchema<typeof tenantSchema>;

export const createTenantModel = (db: Connection) => db.model('Tenant', tenantSchema);
export type TenantModel = ReturnType<typeof createTenantModel>;
