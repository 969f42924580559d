import { checkQuota, type QuotaDeps } from './quotas.js';
import type { ConnectionRepository } from '../db/connections.js';
import {
  templateBytesOf,
  type IntegrationDoc,
  type IntegrationRepository,
  type StoredAuth,
} from '../db/integrations.js';
import type { Page } from '../db/pagination.js';
import { validateWebhookTemplate } from '../domain/render-webhook-request.js';
import { MAX_RENDERED_REQUEST_BYTES, largestRenderedRequestBytes } from '../domain/rendered-request-size.js';
import { DEFAULT_BODY, type Field } from '../domain/webhook-template.js';
import { MASKED_SECRET, type AuthInput, type IntegrationInput, type ListQuery } from '../domain/request-schemas.js';
import { generateResponseToken, generateSigningSecret, hashToken, type SecretBox } from '../platform/secrets.js';
import { AppError, ErrorCode, fieldRuleError, notFound, type FieldProblem } from './errors.js';

export interface IntegrationDeps {
  integrations: IntegrationRepository;
  /** An integration lists only its tenant's connections. */
  connections: ConnectionRepository;
  secretBox: SecretBox;
  /** QUOTA_INTEGRATIONS and the tenant's override. */
  quotas: QuotaDeps['quotas'];
  tenants: QuotaDeps['tenants'];
}

/* ─── Secrets: sealed once on the way in, masked once on the way out ─────────────────────── */

/** The non-secret part of an auth, stored or as the editor sends it. */
interface AuthShape {
  type: 'NONE' | 'API_KEY' | 'BASIC' | 'BEARER';
  key?: string | null;
  in?: string | null;
  username?: string | null;
}

/** An auth as every answer shows it (integration, preview): its secret reads `********`. */
export function maskAuth(auth: AuthShape) {
  switch (auth.type) {
    case 'API_KEY':
      return {
        type: 'API_KEY',
        key: auth.key ?? '',
        value: MASKED_SECRET,
        in: auth.in === 'query' ? 'query' : 'header',
      } as const;
    case 'BASIC':
      return { type: 'BASIC', username: auth.username ?? '', password: MASKED_SECRET } as const;
    case 'BEARER':
      return { type: 'BEARER', token: MASKED_SECRET } as const;
    default:
      return { type: 'NONE' } as const;
  }
}

/** The secret an auth input carries, or undefined ("keep") when it was left out or sent back masked. */
function secretOf(auth: AuthInput): { field: string; value: string | undefined } | undefined {
  const keep = (value: string | undefined) => (value === undefined || value === MASKED_SECRET ? undefined : value);
  switch (auth.type) {
    case 'API_KEY':
      return { field: 'value', value: keep(auth.value) };
    case 'BASIC':
      return { field: 'password', value: keep(auth.password) };
    case 'BEARER':
      return { field: 'token', value: keep(auth.token) };
    default:
      return undefined;
  }
}

/** Scheme, host and port, as a browser compares them; an unreadable URL matches no origin. */
function originOf(url: string): string | undefined {
  try {
    return new URL(url.trim()).origin;
  } catch {
    return undefined;
  }
}

/** What an update keeps secrets from: the stored auth, the URL it was entered for, and the URL asked for. */
export interface KeptAuth {
  auth: StoredAuth;
  previousUrl: string;
  url: string;
}

/**
 * The auth to store: a new secret is sealed; a missing or masked one keeps the stored secret of
 * the same type, and only while the URL keeps its origin (scheme, host, port). A secret is never
 * sent to an origin it was not entered for, so a PUT that moves the URL needs every secret again
 * (SPEC section 2: SECRET_REQUIRED, a rule that depends on what is stored).
 */
export function sealAuth(input: AuthInput, kept: KeptAuth | undefined, secretBox: SecretBox): StoredAuth {
  const secret = secretOf(input);
  let secretSealed: string | undefined;
  if (secret) {
    const path = `auth.${secret.field}`;
    if (secret.value !== undefined) secretSealed = secretBox.seal(secret.value);
    else {
      const stored = kept?.auth.type === input.type ? kept.auth.secretSealed : undefined;
      if (!kept || !stored) throw secretRequired(path, `is required: no ${input.type} secret is stored to keep`);
      const [from, to] = [originOf(kept.previousUrl), originOf(kept.url)];
      if (to === undefined || from !== to) {
        throw secretRequired(
          path,
          `is required again: the URL moves from ${from ?? 'its stored origin'} to ${to ?? 'another origin'}, and a stored secret is only sent to the origin it was entered for`,
        );
      }
      secretSealed = stored;
    }
  }
  return {
    type: input.type,
    key: input.type === 'API_KEY' ? input.key : undefined,
    in: input.type === 'API_KEY' ? input.in : undefined,
    username: input.type === 'BASIC' ? input.username : undefined,
    secretSealed,
  } as StoredAuth;
}

const secretRequired = (path: string, message: string) =>
  new AppError({
    code: ErrorCode.SECRET_REQUIRED,
    message: `${path}: ${message}`,
    details: { fields: [{ path, message }] },
  });

/** A new response token: the hash finds the integration, the sealed copy lets API Details show it. */
export function newResponseToken(secretBox: SecretBox) {
  const responseToken = generateResponseToken();
  return {
    responseToken,
    stored: { responseTokenHash: hashToken(responseToken), responseTokenSealed: secretBox.seal(responseToken) },
  };
}

/* ─── The webhook template ───────────────────────────────────────────────────────────────── */

/**
 * The body an integration sends (the default one when left out and the method has a body), and
 * the problems the renderer would hit. Create, update and preview check the same way. A
 * template whose request for the largest allowed message would exceed 256 KiB is refused
 * (TEMPLATE_TOO_LARGE, SPEC section 2), checked once its keys make sense, and before anything renders it.
 */
export function checkWebhookTemplate(
  input: Pick<IntegrationInput, 'method' | 'url' | 'params' | 'auth' | 'headers' | 'body'>,
): { body: Field[]; problems: FieldProblem[] } {
  const body = input.body ?? (input.method === 'GET' ? [] : [...DEFAULT_BODY]);
  const problems = validateWebhookTemplate({ method: input.method, url: input.url, headers: input.headers, body }).map(
    (problem) => ({
      path: problem.path.join('.'),
      message: problem.message,
    }),
  );
  if (problems.length === 0) {
    const { bytes, largestPart } = largestRenderedRequestBytes({ ...input, body });
    if (bytes > MAX_RENDERED_REQUEST_BYTES) {
      const message = `the request this template renders for the largest allowed message would be up to ${bytes} bytes (over ${MAX_RENDERED_REQUEST_BYTES}); ${largestPart} weighs most`;
      throw new AppError({
        code: ErrorCode.TEMPLATE_TOO_LARGE,
        message: `${largestPart}: ${message}`,
        details: { fields: [{ path: largestPart, message }], bytes, limit: MAX_RENDERED_REQUEST_BYTES },
      });
    }
  }
  return { body, problems };
}

async function checkInput(
  deps: Pick<IntegrationDeps, 'connections'>,
  tenantId: string,
  input: IntegrationInput,
): Promise<{ body: Field[] }> {
  const { body, problems } = checkWebhookTemplate(input);
  const codes = input.connections.map(({ code }) => code);
  if (codes.length > 0) {
    const known = new Set((await deps.connections.listByCodes(tenantId, codes)).map((connection) => connection.code));
    const unknown = codes.flatMap((code, index) =>
      known.has(code) ? [] : [{ path: `connections.${index}.code`, message: `${code} is not one of your connections` }],
    );
    if (unknown.length > 0) throw fieldRuleError(ErrorCode.UNKNOWN_CONNECTION, unknown);
  }
  // The schema has checked every field alone; what is left is keys that contradict each other.
  if (problems.length > 0) throw fieldRuleError(ErrorCode.BODY_KEY_CONFLICT, problems);
  return { body };
}

/** The tenant's template-bytes quota: what its other integrations store plus these rows. */
function checkTemplateBytes(
  deps: IntegrationDeps,
  input: {
    tenantId: string;
    rows: Pick<IntegrationInput, 'params' | 'headers' | 'body'>;
    replacing?: IntegrationDoc['_id'];
  },
): Promise<void> {
  return checkQuota(deps, {
    tenantId: input.tenantId,
    quota: 'templateBytes',
    adding: templateBytesOf({ params: input.rows.params, headers: input.rows.headers, body: input.rows.body ?? [] }),
    used: () => deps.integrations.templateBytesForTenant(input.tenantId, input.replacing),
  });
}

/* ─── Integrations ───────────────────────────────────────────────────────────────────────── */

export async function findTenantIntegration(
  deps: Pick<IntegrationDeps, 'integrations'>,
  input: { tenantId: string; id: string },
): Promise<IntegrationDoc> {
  const doc = await deps.integrations.findForTenant(input.tenantId, input.id);
  if (!doc) throw notFound('Integration');
  return doc;
}

export interface CreatedIntegration {
  integration: IntegrationDoc;
  /** In clear only in the answer to the create: the owner stores them now. */
  responseToken: string;
  signingSecret: string;
}

export async function createIntegration(
  deps: IntegrationDeps,
  request: { tenantId: string; input: IntegrationInput },
): Promise<CreatedIntegration> {
  const { tenantId, input } = request;
  const { secretBox } = deps;
  const { body } = await checkInput(deps, tenantId, input);
  await checkQuota(deps, { tenantId, quota: 'integrations', used: () => deps.integrations.countForTenant(tenantId) });
  await checkTemplateBytes(deps, { tenantId, rows: { params: input.params, headers: input.headers, body } });
  const { responseToken, stored } = newResponseToken(secretBox);
  const signingSecret = generateSigningSecret();
  const integration = await deps.integrations.insert({
    tenantId,
    alias: input.alias,
    method: input.method,
    url: input.url,
    params: input.params,
    auth: sealAuth(input.auth, undefined, secretBox),
    headers: input.headers,
    body,
    connections: input.connections,
    ...stored,
    signingSecretSealed: secretBox.seal(signingSecret),
  });
  return { integration, responseToken, signingSecret };
}

export function listIntegrations(
  deps: Pick<IntegrationDeps, 'integrations'>,
  input: { tenantId: string; query: ListQuery },
): Promise<Page<IntegrationDoc>> {
  return deps.integrations.list(input.tenantId, input.query);
}

const sameConnections = (a: ReadonlyArray<{ code: string }>, b: ReadonlyArray<{ code?: string | null }>) => {
  const left = a.map(({ code }) => code).sort();
  const right = b.map(({ code }) => code ?? '').sort();
  return left.length === right.length && left.every((code, index) => code === right[index]);
};

const activeConflict = (message: string) => new AppError({ code: ErrorCode.INTEGRATION_ACTIVE, message });

/** Replaces the editable fields; the connections of an active (or activating) integration cannot change. */
export async function updateIntegration(
  deps: IntegrationDeps,
  request: { tenantId: string; id: string; input: IntegrationInput },
): Promise<IntegrationDoc> {
  const { tenantId, id, input } = request;
  const current = await findTenantIntegration(deps, { tenantId, id });
  const auth = sealAuth(input.auth, { auth: current.auth, previousUrl: current.url, url: input.url }, deps.secretBox);
  const { body } = await checkInput(deps, tenantId, input);
  await checkTemplateBytes(deps, {
    tenantId,
    rows: { params: input.params, headers: input.headers, body },
    replacing: current._id,
  });
  const connectionsChanged = !sameConnections(input.connections, current.connections);
  const activeMessage = 'The connections of an active integration cannot change: stop it first';
  if (connectionsChanged && (current.status === 'ACTIVE' || current.activating)) throw activeConflict(activeMessage);
  const updated = await deps.integrations.replaceEditable(
    current._id,
    tenantId,
    {
      alias: input.alias,
      method: input.method,
      url: input.url,
      params: input.params,
      auth,
      headers: input.headers,
      body,
      connections: input.connections,
    },
    connectionsChanged,
  );
  if (!updated) {
    if (await deps.integrations.existsForTenant(current._id, tenantId)) throw activeConflict(activeMessage);
    throw notFound('Integration');
  }
  return updated;
}

/** Deletes an inactive integration; the status guard loses no race with a start. */
export async function deleteIntegration(
  deps: Pick<IntegrationDeps, 'integrations'>,
  input: { tenantId: string; id: string },
): Promise<void> {
  const current = await findTenantIntegration(deps, input);
  if (!(await deps.integrations.deleteInactive(current._id, input.tenantId))) {
    if (await deps.integrations.existsForTenant(current._id, input.tenantId))
      throw activeConflict('An active integration cannot be deleted: stop it first');
    throw notFound('Integration');
  }
}
