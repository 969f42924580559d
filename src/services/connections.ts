/**
 * Connections (SPEC section 2, Available Connections). An `http` connection is a carrier account
 * with real senders, so only the operator provisions or removes one; a tenant manages its own
 * `sandbox` connections. Every connection has a carrier secret, shown once at creation.
 */
import type { Quotas } from '../platform/config.js';
import { checkQuota, checkSendersPerConnection } from './quotas.js';
import { randomBytes } from 'node:crypto';
import type { Types } from 'mongoose';
import type { ConnectionDoc, ConnectionRepository } from '../db/connections.js';
import type { IntegrationRepository } from '../db/integrations.js';
import type { Page } from '../db/pagination.js';
import { senderScopeOf, type ScopedSender, type SenderRepository } from '../db/senders.js';
import type { TenantRepository } from '../db/tenants.js';
import type { Channel } from '../domain/webhook-template.js';
import type { SecretBox } from '../platform/secrets.js';
import type { ConnectionCreate, ListQuery } from '../domain/request-schemas.js';
import { AppError, ErrorCode, fieldRuleError, notFound } from './errors.js';

export interface ConnectionDeps {
  connections: ConnectionRepository;
  /** The operator provisions for a tenant that exists. */
  tenants: TenantRepository;
  /** Real senders' ownership (SPEC section 2). */
  senders: SenderRepository;
  /** A connection an integration lists cannot be deleted. */
  integrations: IntegrationRepository;
  secretBox: SecretBox;
  /** QUOTA_CONNECTIONS, QUOTA_SENDERS_PER_CONNECTION and the tenant's overrides. */
  quotas: Quotas;
}

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
    message:
      'An http connection carries real senders: the operator provisions and removes it (POST /v1/tenants/{tenantId}/connections with the root key)',
  });

/** 256 random bits: as strong as an API key. */
const generateCarrierSecret = () => `csk_${randomBytes(32).toString('base64url')}`;

export async function createConnection(
  deps: Pick<ConnectionDeps, 'connections' | 'tenants' | 'senders' | 'secretBox' | 'quotas'>,
  request: { tenantId: string; input: ConnectionCreate; actor: ConnectionActor },
): Promise<CreatedConnection> {
  const { tenantId, input, actor } = request;
  const { secretBox } = deps;
  if (input.carrier.type === 'http' && actor !== 'OPERATOR') throw operatorOnly();
  if (actor === 'OPERATOR' && !(await deps.tenants.exists(tenantId))) throw notFound('Tenant');
  const taken = () =>
    new AppError({ code: ErrorCode.CONNECTION_CODE_TAKEN, message: `Connection code ${input.code} is already taken` });
  if (await deps.connections.codeExists(input.code)) throw taken();
  await checkSendersPerConnection(deps, { tenantId, senders: input.senders.length });
  await checkQuota(deps, { tenantId, quota: 'connections', used: () => deps.connections.countForTenant(tenantId) });
  const carrierSecret = (input.carrier.type === 'http' ? input.carrier.secret : undefined) ?? generateCarrierSecret();
  const carrier: ConnectionDoc['carrier'] =
    input.carrier.type === 'http'
      ? { type: 'http', url: input.carrier.url, secretSealed: secretBox.seal(carrierSecret) }
      : { type: 'sandbox', secretSealed: secretBox.seal(carrierSecret) };
  const ownership = { channel: input.channel, senders: input.senders, tenantId, connectionCode: input.code };
  if (input.carrier.type === 'http') {
    const owned = await deps.senders.own(ownership);
    if (!owned.ok) {
      // The senders are the operator's own input: naming them tells nothing of their holder.
      const message = `${input.channel} sender${owned.taken.length > 1 ? 's' : ''} ${owned.taken.join(', ')} belong${owned.taken.length > 1 ? '' : 's'} to another tenant`;
      throw new AppError({ code: ErrorCode.SENDER_TAKEN, message, details: { senders: owned.taken } });
    }
  }
  const disown = async () => {
    if (input.carrier.type === 'http') await deps.senders.disown(ownership);
  };
  let connection: ConnectionDoc | null;
  try {
    connection = await deps.connections.insert({
      tenantId,
      code: input.code,
      channel: input.channel,
      senders: input.senders,
      carrier,
    });
  } catch (error) {
    await disown();
    throw error;
  }
  if (connection) return { connection, carrierSecret };
  await disown();
  // Two creates of one code racing: the unique index decides.
  throw taken();
}

export function listConnections(
  deps: Pick<ConnectionDeps, 'connections'>,
  input: { tenantId: string; query: ListQuery },
): Promise<Page<ConnectionDoc>> {
  return deps.connections.list(input.tenantId, input.query);
}

export async function findTenantConnection(
  deps: Pick<ConnectionDeps, 'connections'>,
  input: { tenantId: string; code: string },
): Promise<ConnectionDoc> {
  const doc = await deps.connections.findForTenant(input.tenantId, input.code);
  if (!doc) throw notFound('Connection');
  return doc;
}

/** Deletes a connection no integration lists (an integration's connections are its routes). */
export async function deleteConnection(
  deps: Pick<ConnectionDeps, 'connections' | 'senders' | 'integrations'>,
  input: { tenantId: string; code: string; actor: ConnectionActor },
): Promise<void> {
  const { code, actor } = input;
  const doc = await deps.connections.findForTenantId(input.tenantId, code);
  if (!doc) throw notFound('Connection');
  if (doc.carrier.type === 'http' && actor !== 'OPERATOR') throw operatorOnly();
  const users = await deps.integrations.listUsingConnection(doc.tenantId, code, 20);
  if (users.length > 0) {
    throw new AppError({
      code: ErrorCode.CONNECTION_IN_USE,
      message: `Connection ${code} is used by ${users.length === 1 ? 'an integration' : 'integrations'}: remove it from them first`,
      details: { integrations: users.map((user) => ({ id: user._id.toHexString(), alias: user.alias })) },
    });
  }
  await deps.connections.deleteById(doc._id);
  // After the connection: a crash in between leaves the sender owned, never a listed sender unowned.
  if (doc.carrier.type === 'http')
    await deps.senders.disown({
      channel: doc.channel,
      senders: doc.senders,
      tenantId: doc.tenantId,
      connectionCode: code,
    });
}

/**
 * The tenant's own senders among `senders` on `channel`, each in every scope a connection of the
 * tenant lists it (a sender may be both a real one and a sandbox one); any other sender is a
 * `UNKNOWN_SENDER` (SPEC section 2: reservations and campaigns take only those).
 */
export async function tenantSendersOf(
  deps: Pick<ConnectionDeps, 'connections'>,
  input: { tenantId: string | Types.ObjectId; channel: Channel; senders: readonly string[]; field: string },
): Promise<ScopedSender[]> {
  const { channel, senders, field } = input;
  const connections = await deps.connections.listListingSenders(input.tenantId, channel, senders);
  const scoped: ScopedSender[] = [];
  const problems: { path: string; message: string }[] = [];
  senders.forEach((sender, index) => {
    const scopes = new Set(
      connections
        .filter((connection) => connection.senders.includes(sender))
        .map((connection) => senderScopeOf(connection.carrier.type)),
    );
    if (scopes.size === 0)
      problems.push({
        path: field.replace('{index}', String(index)),
        message: `${channel} sender ${sender} is not a sender of any of your ${channel} connections`,
      });
    for (const scope of scopes) scoped.push({ sender, scope });
  });
  if (problems.length > 0) throw fieldRuleError(ErrorCode.UNKNOWN_SENDER, problems);
  return scoped;
}
