import mongoose, { type Connection, type InferRawDocTypeFromSchema } from 'mongoose';
import { ChannelSchema } from '../../domain/webhook-template.js';

const { Schema } = mongoose;

const campaignSchema = Schema.create(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true, index: true },
    name: { type: String, required: true },
    integrationId: { type: Schema.Types.ObjectId, required: true, index: true },
    channel: { type: String, enum: ChannelSchema.options, required: true },
    senders: { type: [String], required: true },
    status: { type: String, enum: ['DRAFT', 'LIVE', 'PAUSED'] as const, required: true, default: 'DRAFT' },
    integrationDate: { type: Date, default: null },
  },
  { timestamps: true, versionKey: false },
);

export type CampaignDoc = InferRawDocTypeFromSchema<typeof campaignSchema>;

export const createCampaignModel = (db: Connection) => db.model('Campaign', campaignSchema);
export type CampaignModel = ReturnType<typeof createCampaignModel>;
