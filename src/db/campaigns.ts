import type { Types } from 'mongoose';
import type { Channel } from '../domain/webhook-template.js';
import { ifOwnedBy, objectIdOrNull, type Id } from './ids.js';
import type { Models } from './models.js';
import { listPage, type Page, type PageQuery } from './pagination.js';
import type { CampaignDoc } from './schemas/campaigns.js';

export type { CampaignDoc };

export interface NewCampaign {
  tenantId: Id;
  name: string;
  integrationId: Types.ObjectId;
  channel: Channel;
  senders: string[];
}

/** Chatbot campaigns linked to an integration; a LIVE one holds sender claims (senders.ts). */
export function createCampaignRepository(models: Pick<Models, 'Campaign'>) {
  const { Campaign } = models;
  return {
    /** How many the tenant holds (indexed tenantId): for quotas on management writes, never on the MO path. */
    countForTenant(tenantId: Id): Promise<number> {
      return models.Campaign.countDocuments({ tenantId });
    },

    /** A malformed id names nothing. */
    async findForTenant(tenantId: Id, id: string): Promise<CampaignDoc | null> {
      const _id = objectIdOrNull(id);
      return _id ? ifOwnedBy(await Campaign.findById(_id).lean<CampaignDoc>(), tenantId) : null;
    },

    /** The campaign if it is LIVE: its claims route only while it is (status and claims are separate writes). */
    async findLive(id: Types.ObjectId): Promise<Pick<CampaignDoc, '_id' | 'integrationId'> | null> {
      const campaign = await Campaign.findById(id, { integrationId: 1, status: 1 }).lean<
        Pick<CampaignDoc, '_id' | 'integrationId' | 'status'>
      >();
      return campaign?.status === 'LIVE' ? { _id: campaign._id, integrationId: campaign.integrationId } : null;
    },

    /** Created DRAFT. */
    async insert(campaign: NewCampaign): Promise<CampaignDoc> {
      return (await Campaign.create({ ...campaign, status: 'DRAFT' })).toObject();
    },

    list(tenantId: Id, query: PageQuery): Promise<Page<CampaignDoc>> {
      return listPage(query, (range, limit) =>
        Campaign.find({ tenantId, ...range })
          .sort({ _id: 1 })
          .limit(limit)
          .lean<CampaignDoc[]>(),
      );
    },

    /** Every campaign linked to the integration, oldest first. */
    listLinkedTo(tenantId: Id, integrationId: Types.ObjectId): Promise<CampaignDoc[]> {
      return Campaign.find({ tenantId, integrationId }).sort({ _id: 1 }).lean<CampaignDoc[]>();
    },

    /** The LIVE campaigns linked to the integration (they block its stop). */
    listLiveLinkedTo(integrationId: Types.ObjectId): Promise<Array<Pick<CampaignDoc, '_id' | 'name'>>> {
      return Campaign.find({ integrationId, status: 'LIVE' }, { name: 1 }).lean<
        Array<Pick<CampaignDoc, '_id' | 'name'>>
      >();
    },

    /** LIVE, dated by its first going live; null when the campaign is gone. */
    markLive(id: Types.ObjectId, integrationDate: Date): Promise<CampaignDoc | null> {
      return Campaign.findOneAndUpdate(
        { _id: id },
        { $set: { status: 'LIVE', integrationDate } },
        { returnDocument: 'after', lean: true },
      );
    },

    async markPaused(id: Types.ObjectId): Promise<void> {
      await Campaign.updateOne({ _id: id }, { $set: { status: 'PAUSED' } });
    },
  };
}

export type CampaignRepository = ReturnType<typeof createCampaignRepository>;
