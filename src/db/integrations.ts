import type { Types } from 'mongoose';
import type { Field, HttpMethod } from '../domain/webhook-template.js';
import type { ActivationResult, ConnectionOutcome } from '../../workflows/contract/integration-lifecycle.js';
import { objectIdOrNull, type Id } from './ids.js';
import type { Models } from './models.js';
import { listPage, type Page, type PageQuery } from './pagination.js';
import type { ConnectionStatusRecord, FieldRecord, IntegrationDoc, StoredAuth } from './schemas/integrations.js';

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

/**
 * Integrations. The status fields (`status`, `activating`) are written only by guarded updates,
 * so a start, a stop, a PUT of the connections and a delete never both win.
 */
export function createIntegrationRepository(models: Pick<Models, 'Integration'>) {
  const { Integration } = models;
  return {
    /** How many the tenant holds (indexed tenantId): for quotas on management writes, never on the MO path. */
    countForTenant(tenantId: Id): Promise<number> {
      return models.Integration.countDocuments({ tenantId });
    },

    /** A malformed id names nothing. */
    findForTenant(tenantId: Id, id: string): Promise<IntegrationDoc | null> {
      return Integration.findOne({ tenantId, _id: objectIdOrNull(id) }).lean<IntegrationDoc>();
    },

    findById(id: Id): Promise<IntegrationDoc | null> {
      return Integration.findById(id).lean<IntegrationDoc>();
    },

    /** An MO's route: the claim's integration, if it is the connection's tenant's and ACTIVE. */
    findActiveForTenant(id: Types.ObjectId, tenantId: Types.ObjectId): Promise<IntegrationDoc | null> {
      return Integration.findOne({ _id: id, tenantId, status: 'ACTIVE' }).lean<IntegrationDoc>();
    },

    /** By the unique hash of its response token (the token itself is stored sealed only). */
    findByResponseTokenHash(responseTokenHash: string): Promise<IntegrationDoc | null> {
      return Integration.findOne({ responseTokenHash }).lean<IntegrationDoc>();
    },

    async insert(integration: NewIntegration): Promise<IntegrationDoc> {
      return (await Integration.create({ ...integration, status: 'INACTIVE' })).toObject();
    },

    list(tenantId: Id, query: PageQuery): Promise<Page<IntegrationDoc>> {
      return listPage(query, (range, limit) =>
        Integration.find({ tenantId, ...range })
          .sort({ _id: 1 })
          .limit(limit)
          .lean<IntegrationDoc[]>(),
      );
    },

    async existsForTenant(id: Types.ObjectId, tenantId: Id): Promise<boolean> {
      return Boolean(await Integration.exists({ _id: id, tenantId }));
    },

    /**
     * Replaces the editable fields; with `onlyIfInactive` only while the integration is neither
     * active nor being activated (the guard makes "change connections" and "start" exclusive
     * even when they race). Null when nothing matched.
     */
    replaceEditable(
      id: Types.ObjectId,
      tenantId: Id,
      fields: EditableIntegration,
      onlyIfInactive: boolean,
    ): Promise<IntegrationDoc | null> {
      const guard: Record<string, unknown> = onlyIfInactive ? { status: 'INACTIVE', activating: { $ne: true } } : {};
      return Integration.findOneAndUpdate(
        { _id: id, tenantId, ...guard },
        { $set: fields },
        { returnDocument: 'after', lean: true },
      );
    },

    /** Deletes an inactive integration (the status guard loses no race with a start); false when nothing matched. */
    async deleteInactive(id: Types.ObjectId, tenantId: Id): Promise<boolean> {
      const result = await Integration.deleteOne({ _id: id, tenantId, status: 'INACTIVE', activating: { $ne: true } });
      return result.deletedCount > 0;
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
    markActivating(tenantId: Id, id: Id): Promise<IntegrationDoc | null> {
      return Integration.findOneAndUpdate(
        { _id: id, tenantId, status: 'INACTIVE' },
        { $set: { activating: true } },
        { returnDocument: 'after', lean: true },
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
      const current = await Integration.findOne({ _id: id, tenantId }).lean<IntegrationDoc>();
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
