import mongoose, { type Connection, type InferRawDocTypeFromSchema } from 'mongoose';

const { Schema } = mongoose;

const tenantSchema = Schema.create(
  {
    name: { type: String, required: true },
    apiKeyHash: { type: String, required: true, unique: true },
  },
  { timestamps: true, versionKey: false },
);

export type TenantDoc = InferRawDocTypeFromSchema<typeof tenantSchema>;

export const createTenantModel = (db: Connection) => db.model('Tenant', tenantSchema);
export type TenantModel = ReturnType<typeof createTenantModel>;
