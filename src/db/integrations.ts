import { LRUCache } from 'lru-cache';
import { Types } from 'mongoose';
import type { Field, HttpMethod } from '../domain/webhook-template.js';
import type { ActivationResult, ConnectionOutcome } from '../../workflows/contract/integration-lifecycle.js';
import { asObjectId, ifOwnedBy, objectIdOrNull, type Id } from './ids.js';
import type { Models } from './models.js';
import { listPage, type Page, type PageQuery } from './pagination.js';
import type { ConnectionStatusRecord, FieldRecord, IntegrationDoc, StoredAuth } from './schemas/integrations.js';
import type { IntegrationTemplateDoc } from './schemas/integration-templates.js';

export type { ConnectionStatusRecord, FieldRecord, IntegrationDoc, StoredAuth };

/** What a PUT replaces (secrets already sealed). */
export interface EditableIntegration {
  alias: string;
  method: HttpMethod;
  url: string;
  params: Field[];
  auth: StoredAuth;
  headers: Field[];
  body: Field[];
  connections: Array<{ code: string }>;
}

export interface NewIntegration extends EditableIntegration {
  tenantId: Id;
  responseTokenHash: string;
  responseTokenSealed: string;
  signingSecretSealed: string;
}

/** The answer an active integration gives to another start: its recorded state. */
export function activationResultOf(
  doc: Pick<IntegrationDoc, 'status' | 'connectionStatuses' | 'connections'>,
): ActivationResult {
  const recorded = new Map((doc.connectionStatuses ?? []).map((status) => [status.code, status]));
  const connections: ConnectionOutcome[] = doc.connections.map(({ code }) => {
    const status = recorded.get(code);
    return status?.status === 'FAILED'
      ? { code, status: 'FAILED', error: status.error ?? { code: 'UNKNOWN', message: 'not activated' } }
      : { code, status: 'ACTIVE' };
  });
  return { status: doc.status, partial: connections.some((connection) => connection.status === 'FAILED'), connections };
}

type TemplateRows = Pick<IntegrationTemplateDoc, 'params' | 'headers' | 'body'>;

/** What a template's rows weigh as stored (the template-bytes quota sums it). */
export const templateBytesOf = (rows: TemplateRows): number => Buffer.byteLength(JSON.stringify(rows));

/** A list page ends once its templates weigh this much (it always holds one integration). */
const LIST_PAGE_BYTES = 1024 * 1024;

/** Templates kept per process: immutable, so a copy never goes stale. */
const TEMPLATE_CACHE_BYTES = 64 * 1024 * 1024;

/**
 * Integrations. The status fields (`status`, `activating`) are written only by guarded updates,
 * so a start, a stop, a PUT of the connections and a delete never both win.
 *
 * Every read is by `_id` (the tenant compared here, not in the filter): the embedded engine
 * serves an `_id`-only filter several times faster than one with another member (README, "The
 * embedded store's look-ups"). The template rows live in their own collection, one immutable
 * row per version, and each answer carries them as if stored inline.
 */
export function createIntegrationRepository(models: Pick<Models, 'Integration' | 'IntegrationTemplate'>) {
  const { Integration, IntegrationTemplate } = models;
  const templates = new LRUCache<string, TemplateRows>({
    maxSize: TEMPLATE_CACHE_BYTES,
    sizeCalculation: (rows) => Math.max(1, templateBytesOf(rows)),
  });

  async function rowsOf(templateId: Types.ObjectId): Promise<TemplateRows> {
    const key = templateId.toHexString();
    const cached = templates.get(key);
    if (cached) return cached;
    const stored = await IntegrationTemplate.findById(templateId).lean<IntegrationTemplateDoc>();
    const rows = { params: stored?.params ?? [], headers: stored?.headers ?? [], body: stored?.body ?? [] };
    if (stored) templates.set(key, rows);
    return rows;
  }

  /** The document with its template rows (an integration from before the template collection has them inline). */
  async function withTemplate(doc: IntegrationDoc | null): Promise<IntegrationDoc | null> {
    if (!doc?.templateId) return doc;
    return { ...doc, ...(await rowsOf(doc.templateId)) };
  }

  /** Writes a template version; its id goes on the integration. */
  async function insertTemplate(tenantId: Id, integrationId: Types.ObjectId, rows: TemplateRows) {
    const bytes = templateBytesOf(rows);
    const inserted = await IntegrationTemplate.create({ tenantId, integrationId, ...rows, bytes });
    templates.set(inserted._id.toHexString(), rows);
    return { templateId: inserted._id, templateBytes: bytes };
  }

  async function deleteTemplate(templateId: Types.ObjectId | null | undefined): Promise<void> {
    if (!templateId) return;
    templates.delete(templateId.toHexString());
    await IntegrationTemplate.deleteOne({ _id: templateId });
  }

  const byId = (id: Types.ObjectId | null) =>
    id ? Integration.findById(id).lean<IntegrationDoc>() : Promise.resolve(null);

  return {
    /** How many the tenant holds (indexed tenantId): for quotas on management writes, never on the MO path. */
    countForTenant(tenantId: Id): Promise<number> {
      return models.Integration.countDocuments({ tenantId });
    },

    /** The template bytes the tenant stores, but `except`'s (the integration a PUT replaces). */
    async templateBytesForTenant(tenantId: Id, except?: Types.ObjectId): Promise<number> {
      const docs = await Integration.find({ tenantId }, { templateBytes: 1 }).lean<
        Array<Pick<IntegrationDoc, '_id' | 'templateBytes'>>
      >();
      return docs.reduce((sum, doc) => (except?.equals(doc._id) ? sum : sum + (doc.templateBytes ?? 0)), 0);
    },

    /** A malformed id names nothing. */
    async findForTenant(tenantId: Id, id: string): Promise<IntegrationDoc | null> {
      return withTemplate(ifOwnedBy(await byId(objectIdOrNull(id)), tenantId));
    },

    async findById(id: Id): Promise<IntegrationDoc | null> {
      return withTemplate(await byId(asObjectId(id)));
    },

    /** An MO's route: the claim's integration, if it is the connection's tenant's and ACTIVE. */
    async findActiveForTenant(id: Types.ObjectId, tenantId: Types.ObjectId): Promise<IntegrationDoc | null> {
      const doc = ifOwnedBy(await byId(id), tenantId);
      return doc?.status === 'ACTIVE' ? withTemplate(doc) : null;
    },

    /** By the unique hash of its response token (the token itself is stored sealed only). */
    async findByResponseTokenHash(responseTokenHash: string): Promise<IntegrationDoc | null> {
      return withTemplate(await Integration.findOne({ responseTokenHash }).lean<IntegrationDoc>());
    },

    async insert(integration: NewIntegration): Promise<IntegrationDoc> {
      const { params, headers, body, ...rest } = integration;
      const _id = new Types.ObjectId();
      const template = await insertTemplate(integration.tenantId, _id, { params, headers, body });
      try {
        const created = (await Integration.create({ ...rest, _id, ...template, status: 'INACTIVE' })).toObject();
        return { ...created, params, headers, body } as IntegrationDoc;
      } catch (error) {
        await deleteTemplate(template.templateId);
        throw error;
      }
    },

    /** A page of the tenant's integrations; a page also ends once its templates weigh `maxBytes`. */
    async list(tenantId: Id, query: PageQuery, maxBytes = LIST_PAGE_BYTES): Promise<Page<IntegrationDoc>> {
      const page = await listPage(query, (range, limit) =>
        Integration.find({ tenantId, ...range })
          .sort({ _id: 1 })
          .limit(limit)
          .lean<IntegrationDoc[]>(),
      );
      let bytes = 0;
      const items: IntegrationDoc[] = [];
      for (const doc of page.items) {
        if (items.length > 0 && bytes + (doc.templateBytes ?? 0) > maxBytes)
          return { items, nextCursor: items[items.length - 1]!._id.toHexString() };
        bytes += doc.templateBytes ?? 0;
        items.push((await withTemplate(doc))!);
      }
      return { items, nextCursor: page.nextCursor };
    },

    async existsForTenant(id: Types.ObjectId, tenantId: Id): Promise<boolean> {
      return Boolean(await Integration.exists({ _id: id, tenantId }));
    },

    /**
     * Replaces the editable fields; with `onlyIfInactive` only while the integration is neither
     * active nor being activated (the guard makes "change connections" and "start" exclusive
     * even when they race). Null when nothing matched.
     */
    async replaceEditable(
      id: Types.ObjectId,
      tenantId: Id,
      fields: EditableIntegration,
      onlyIfInactive: boolean,
    ): Promise<IntegrationDoc | null> {
      const guard: Record<string, unknown> = onlyIfInactive ? { status: 'INACTIVE', activating: { $ne: true } } : {};
      const { params, headers, body, ...rest } = fields;
      const template = await insertTemplate(tenantId, id, { params, headers, body });
      // The version replaced is the one this update saw: two racing PUTs each delete their own predecessor.
      const replaced = await Integration.findOneAndUpdate(
        { _id: id, tenantId, ...guard },
        { $set: { ...rest, ...template, params: [], headers: [], body: [] } },
        { returnDocument: 'before', lean: true },
      );
      if (!replaced) {
        await deleteTemplate(template.templateId);
        return null;
      }
      await deleteTemplate(replaced.templateId);
      return withTemplate(await byId(id));
    },

    /** Deletes an inactive integration (the status guard loses no race with a start); false when nothing matched. */
    async deleteInactive(id: Types.ObjectId, tenantId: Id): Promise<boolean> {
      const deleted = await Integration.findOneAndDelete({
        _id: id,
        tenantId,
        status: 'INACTIVE',
        activating: { $ne: true },
      }).lean<IntegrationDoc>();
      if (!deleted) return false;
      await deleteTemplate(deleted.templateId);
      return true;
    },

    /** Up to `limit` of the tenant's integrations listing the connection. */
    listUsingConnection(
      tenantId: Types.ObjectId,
      code: string,
      limit: number,
    ): Promise<Array<Pick<IntegrationDoc, '_id' | 'alias'>>> {
      return Integration.find({ tenantId, 'connections.code': code }, { _id: 1, alias: 1 })
        .limit(limit)
        .lean<Array<Pick<IntegrationDoc, '_id' | 'alias'>>>();
    },

    async setResponseToken(
      id: Types.ObjectId,
      token: { responseTokenHash: string; responseTokenSealed: string },
    ): Promise<void> {
      await Integration.updateOne({ _id: id }, { $set: token });
    },

    /**
     * Replaces the signing secret, guarded by the one it replaces (a concurrent rotation cannot
     * make this one's secret the one nobody stored); false when another rotation came first.
     */
    async replaceSigningSecret(
      id: Types.ObjectId,
      tenantId: Id,
      replaced: string,
      next: { signingSecretSealed: string; previousSigningSecret: { secretSealed: string; expiresAt: Date } },
    ): Promise<boolean> {
      const result = await Integration.updateOne({ _id: id, tenantId, signingSecretSealed: replaced }, { $set: next });
      return result.matchedCount === 1;
    },

    /** Marks an INACTIVE integration as being activated; null when it is not INACTIVE (or not there). */
    async markActivating(tenantId: Id, id: Id): Promise<IntegrationDoc | null> {
      return withTemplate(
        await Integration.findOneAndUpdate(
          { _id: id, tenantId, status: 'INACTIVE' },
          { $set: { activating: true } },
          { returnDocument: 'after', lean: true },
        ),
      );
    },

    /** Records an activation's outcome; false when a stop cleared `activating` meanwhile (the run was cancelled). */
    async recordActivation(id: Id, activated: boolean, connectionStatuses: ConnectionStatusRecord[]): Promise<boolean> {
      const recorded = await Integration.updateOne(
        { _id: id, activating: true },
        { $set: { status: activated ? 'ACTIVE' : 'INACTIVE', activating: false, connectionStatuses } },
      );
      return recorded.matchedCount > 0;
    },

    /** INACTIVE, not activating (a running activation sees itself cancelled), every connection INACTIVE as of `at`. */
    async markStopped(tenantId: Id, id: Id, at: Date): Promise<void> {
      const current = ifOwnedBy(await byId(asObjectId(id)), tenantId);
      if (!current) return;
      await Integration.updateOne(
        { _id: id },
        {
          $set: {
            status: 'INACTIVE',
            activating: false,
            connectionStatuses: current.connections.map(({ code }) => ({ code, status: 'INACTIVE', error: null, at })),
          },
        },
      );
    },
  };
}

export type IntegrationRepository = ReturnType<typeof createIntegrationRepository>;
