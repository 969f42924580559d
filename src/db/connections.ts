import type { Types } from 'mongoose';
import type { Channel } from '../domain/webhook-template.js';
import { insertOr } from './duplicate-key.js';
import { objectIdOrNull, type Id } from './ids.js';
import type { Models } from './models.js';
import { listPage, type Page, type PageQuery } from './pagination.js';
import type { ConnectionDoc } from './schemas/connections.js';

export type { ConnectionDoc };

export interface NewConnection {
  tenantId: Id;
  code: string;
  channel: Channel;
  senders: string[];
  carrier: ConnectionDoc['carrier'];
}

/** Connections (carrier accounts): the code is unique platform-wide and is the connection's id. */
export function createConnectionRepository(models: Pick<Models, 'Connection'>) {
  return {
    /** How many the tenant holds (indexed tenantId): for quotas on management writes, never on the MO path. */
    countForTenant(tenantId: Id): Promise<number> {
      return models.Connection.countDocuments({ tenantId });
    },

    /** The MO's and MT's look-up: by its unique code, whoever's it is. */
    findByCode(code: string): Promise<ConnectionDoc | null> {
      return models.Connection.findOne({ code }).lean<ConnectionDoc>();
    },

    findForTenant(tenantId: Id, code: string): Promise<ConnectionDoc | null> {
      return models.Connection.findOne({ tenantId, code }).lean<ConnectionDoc>();
    },

    /** For ids from a URL: a malformed tenant id names nothing. */
    findForTenantId(tenantId: string, code: string): Promise<ConnectionDoc | null> {
      return models.Connection.findOne({ tenantId: objectIdOrNull(tenantId), code }).lean<ConnectionDoc>();
    },

    async codeExists(code: string): Promise<boolean> {
      return Boolean(await models.Connection.exists({ code }));
    },

    /** The stored connection, or null when its code is taken (the unique index decides between racing creates). */
    insert(connection: NewConnection): Promise<ConnectionDoc | null> {
      return insertOr(
        async () => (await models.Connection.create(connection)).toObject(),
        () => null,
      );
    },

    list(tenantId: Id, query: PageQuery): Promise<Page<ConnectionDoc>> {
      return listPage(query, (range, limit) =>
        models.Connection.find({ tenantId, ...range })
          .sort({ _id: 1 })
          .limit(limit)
          .lean<ConnectionDoc[]>(),
      );
    },

    /** The tenant's connections among these codes (unknown codes are left out). */
    listByCodes(tenantId: Id, codes: readonly string[]): Promise<ConnectionDoc[]> {
      return models.Connection.find({ tenantId, code: { $in: [...codes] } }).lean<ConnectionDoc[]>();
    },

    /** The tenant's connections on `channel` listing any of `senders`: their senders and carrier. */
    listListingSenders(
      tenantId: Id,
      channel: Channel,
      senders: readonly string[],
    ): Promise<Array<Pick<ConnectionDoc, '_id' | 'senders' | 'carrier'>>> {
      return models.Connection.find(
        { tenantId, channel, senders: { $in: [...senders] } },
        { senders: 1, carrier: 1 },
      ).lean<Array<Pick<ConnectionDoc, '_id' | 'senders' | 'carrier'>>>();
    },

    async deleteById(id: Types.ObjectId): Promise<void> {
      await models.Connection.deleteOne({ _id: id });
    },
  };
}

export type ConnectionRepository = ReturnType<typeof createConnectionRepository>;
