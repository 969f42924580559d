import { isDuplicateKeyError, type ConnectionDoc, type Models } from '../db/models.js';
import { listPage, type Page } from '../db/pagination.js';
import type { SecretBox } from '../platform/secrets.js';
import type { ConnectionCreate, ListQuery } from '../domain/request-schemas.js';
import { conflict, notFound } from './errors.js';

/** A tenant's carrier connections (SPEC section 2, Available Connections). */
export async function createConnection(models: Models, secretBox: SecretBox, tenantId: string, input: ConnectionCreate): Promise<ConnectionDoc> {
  const taken = () => conflict('CONNECTION_CODE_TAKEN', `Connection code ${input.code} is already taken`);
  if (await models.Connection.exists({ code: input.code })) throw taken();
  const carrier: ConnectionDoc['carrier'] =
    input.carrier.type === 'http'
      ? { type: 'http', url: input.carrier.url, secretSealed: input.carrier.secret ? secretBox.seal(input.carrier.secret) : undefined }
      : { type: 'sandbox' };
  try {
    const doc = await models.Connection.create({ tenantId, code: input.code, channel: input.channel, senders: input.senders, carrier });
    return doc.toObject();
  } catch (error) {
    // Two creates of one code racing: the unique index decides.
    if (isDuplicateKeyError(error)) throw taken();
    throw error;
  }
}

export function listConnections<T>(models: Models, tenantId: string, query: ListQuery, present: (doc: ConnectionDoc) => T): Promise<Page<T>> {
  return listPage(query, (range, limit) => models.Connection.find({ tenantId, ...range }).sort({ _id: 1 }).limit(limit).lean(), present);
}

export async function findTenantConnection(models: Models, tenantId: string, code: string): Promise<ConnectionDoc> {
  const doc = await models.Connection.findOne({ tenantId, code }).lean();
  if (!doc) throw notFound('Connection');
  return doc;
}

/** Deletes a connection no integration lists (an integration's connections are its routes). */
export async function deleteConnection(models: Models, tenantId: string, code: string): Promise<void> {
  const doc = await models.Connection.findOne({ tenantId, code }, { _id: 1 }).lean();
  if (!doc) throw notFound('Connection');
  const users = await models.Integration.find({ tenantId, 'connections.code': code }, { _id: 1, alias: 1 }).limit(20).lean();
  if (users.length > 0) {
    throw conflict('CONNECTION_IN_USE', `Connection ${code} is used by ${users.length === 1 ? 'an integration' : 'integrations'}: remove it from them first`, {
      integrations: users.map((user) => ({ id: user._id.toHexString(), alias: user.alias })),
    });
  }
  await models.Connection.deleteOne({ _id: doc._id });
}
