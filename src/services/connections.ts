/**
 * Connections (SPEC section 2, Available Connections). An `http` connection is a carrier account
 * with real senders, so only the operator provisions or removes one; a tenant manages its own
 * `sandbox` connections. Every connection has a carrier secret, shown once at creation.
 */
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { isDuplicateKeyError, type ConnectionDoc, type Models } from '../db/models.js';
import { listPage, objectIdOrNull, type Page } from '../db/pagination.js';
import { senderScopeOf, type ScopedSender } from '../db/sender-claims.js';
import { disownSenders, ownSenders } from '../db/sender-ownerships.js';
import type { Channel } from '../domain/webhook-template.js';
import type { SecretBox } from '../platform/secrets.js';
import type { ConnectionCreate, ListQuery } from '../domain/request-schemas.js';
import { AppError, ErrorCode, fieldRuleError, notFound } from './errors.js';

/** Who asks: the operator (root key) may do anything to a tenant's connections, a tenant only to its sandboxes. */
export type ConnectionActor = 'OPERATOR' | 'TENANT';

export interface CreatedConnection {
  connection: ConnectionDoc;
  /** Shown once, in the create response: stored sealed (an `http` carrier is sent it on every MT too). */
  carrierSecret: string;
}

const operatorOnly = () =>
  new AppError({
    code: ErrorCode.OPERATOR_ONLY,
    message: 'An http connection carries real senders: the operator provisions and removes it (POST /v1/tenants/{tenantId}/connections with the root key)',
  });

/** 256 random bits: as strong as an API key. */
const generateCarrierSecret = () => `csk_${randomBytes(32).toString('base64url')}`;

const objectId = (id: string) => new mongoose.Types.ObjectId(id);

export async function createConnection(models: Models, secretBox: SecretBox, tenantId: string, input: ConnectionCreate, actor: ConnectionActor): Promise<CreatedConnection> {
  if (input.carrier.type === 'http' && actor !== 'OPERATOR') throw operatorOnly();
  if (actor === 'OPERATOR' && !(await models.Tenant.exists({ _id: objectIdOrNull(tenantId) }))) throw notFound('Tenant');
  const taken = () => new AppError({ code: ErrorCode.CONNECTION_CODE_TAKEN, message: `Connection code ${input.code} is already taken` });
  if (await models.Connection.exists({ code: input.code })) throw taken();
  const carrierSecret = (input.carrier.type === 'http' ? input.carrier.secret : undefined) ?? generateCarrierSecret();
  const carrier: ConnectionDoc['carrier'] =
    input.carrier.type === 'http'
      ? { type: 'http', url: input.carrier.url, secretSealed: secretBox.seal(carrierSecret) }
      : { type: 'sandbox', secretSealed: secretBox.seal(carrierSecret) };
  const ownership = { channel: input.channel, senders: input.senders, tenantId: objectId(tenantId), connectionCode: input.code };
  if (input.carrier.type === 'http') {
    const owned = await ownSenders(models, ownership);
    if (!owned.ok) {
      // The senders are the operator's own input: naming them tells nothing of their holder.
      const message = `${input.channel} sender${owned.taken.length > 1 ? 's' : ''} ${owned.taken.join(', ')} belong${owned.taken.length > 1 ? '' : 's'} to another tenant`;
      throw new AppError({ code: ErrorCode.SENDER_TAKEN, message, details: { senders: owned.taken } });
    }
  }
  try {
    const doc = await models.Connection.create({ tenantId, code: input.code, channel: input.channel, senders: input.senders, carrier });
    return { connection: doc.toObject(), carrierSecret };
  } catch (error) {
    if (input.carrier.type === 'http') await disownSenders(models, ownership);
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
export async function deleteConnection(models: Models, tenantId: string, code: string, actor: ConnectionActor): Promise<void> {
  const doc = await models.Connection.findOne({ tenantId: objectIdOrNull(tenantId), code }).lean();
  if (!doc) throw notFound('Connection');
  if (doc.carrier.type === 'http' && actor !== 'OPERATOR') throw operatorOnly();
  const users = await models.Integration.find({ tenantId: doc.tenantId, 'connections.code': code }, { _id: 1, alias: 1 }).limit(20).lean();
  if (users.length > 0) {
    throw new AppError({
      code: ErrorCode.CONNECTION_IN_USE,
      message: `Connection ${code} is used by ${users.length === 1 ? 'an integration' : 'integrations'}: remove it from them first`,
      details: { integrations: users.map((user) => ({ id: user._id.toHexString(), alias: user.alias })) },
    });
  }
  await models.Connection.deleteOne({ _id: doc._id });
  // After the connection: a crash in between leaves the sender owned, never a listed sender unowned.
  if (doc.carrier.type === 'http') await disownSenders(models, { channel: doc.channel, senders: doc.senders, tenantId: doc.tenantId, connectionCode: code });
}

/**
 * The tenant's own senders among `senders` on `channel`, each in every scope a connection of the
 * tenant lists it (a sender may be both a real one and a sandbox one); any other sender is a
 * `UNKNOWN_SENDER` (SPEC section 2: reservations and campaigns take only those).
 */
export async function tenantSendersOf(models: Models, tenantId: string | mongoose.Types.ObjectId, channel: Channel, senders: readonly string[], field: string): Promise<ScopedSender[]> {
  const connections = await models.Connection.find({ tenantId, channel, senders: { $in: [...senders] } }, { senders: 1, carrier: 1 }).lean();
  const scoped: ScopedSender[] = [];
  const problems: { path: string; message: string }[] = [];
  senders.forEach((sender, index) => {
    const scopes = new Set(connections.filter((connection) => connection.senders.includes(sender)).map((connection) => senderScopeOf(connection.carrier.type)));
    if (scopes.size === 0) problems.push({ path: field.replace('{index}', String(index)), message: `${channel} sender ${sender} is not a sender of any of your ${channel} connections` });
    for (const scope of scopes) scoped.push({ sender, scope });
  });
  if (problems.length > 0) throw fieldRuleError(ErrorCode.UNKNOWN_SENDER, problems);
  return scoped;
}
