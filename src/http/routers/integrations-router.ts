import { Router } from 'express';
import type { IntegrationDoc, Models, StoredAuth } from '../../db/models.js';
import { DEFAULT_BODY } from '../../domain/webhook-template.js';
import { validateWebhookTemplate } from '../../domain/render-webhook-request.js';
import { conflict, notFound, validationError, type FieldProblem } from '../../services/errors.js';
import { generateResponseToken, generateSigningSecret, hashToken, type SecretBox } from '../../platform/secrets.js';
import { tenantIdOf } from '../auth.js';
import { listPage, objectIdOrNull } from '../../db/pagination.js';
import { IntegrationInputSchema, ListQuerySchema, MASKED_SECRET, type AuthInput, type IntegrationInput } from '../schemas.js';
import { parseInput } from '../validation.js';

export function maskAuth(auth: StoredAuth) {
  switch (auth.type) {
    case 'API_KEY':
      return { type: 'API_KEY' as const, key: auth.key ?? '', value: MASKED_SECRET, in: auth.in ?? 'header' };
    case 'BASIC':
      return { type: 'BASIC' as const, username: auth.username ?? '', password: MASKED_SECRET };
    case 'BEARER':
      return { type: 'BEARER' as const, token: MASKED_SECRET };
    default:
      return { type: 'NONE' as const };
  }
}

const plainFields = (rows: IntegrationDoc['params']) => rows.map(({ key, type, value }) => ({ key, type, value }));

export function presentIntegration(doc: IntegrationDoc) {
  return {
    id: doc._id.toHexString(),
    alias: doc.alias,
    method: doc.method,
    url: doc.url,
    params: plainFields(doc.params),
    auth: maskAuth(doc.auth),
    headers: plainFields(doc.headers),
    body: plainFields(doc.body),
    connections: doc.connections.map(({ code }) => ({ code })),
    status: doc.status,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

/** The secret a given auth input carries, or "keep" when it was left out or sent back masked. */
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

export function storedAuthOf(input: AuthInput, previous: StoredAuth | undefined, secretBox: SecretBox): StoredAuth {
  const secret = secretOf(input);
  let secretSealed: string | undefined;
  if (secret) {
    if (secret.value !== undefined) secretSealed = secretBox.seal(secret.value);
    else if (previous?.type === input.type && previous.secretSealed) secretSealed = previous.secretSealed;
    else throw validationError([{ path: `auth.${secret.field}`, message: 'is required' }]);
  }
  return {
    type: input.type,
    key: input.type === 'API_KEY' ? input.key : undefined,
    in: input.type === 'API_KEY' ? input.in : undefined,
    username: input.type === 'BASIC' ? input.username : undefined,
    secretSealed,
  } as StoredAuth;
}

async function checkInput(models: Models, tenantId: string, input: IntegrationInput) {
  const body = input.body ?? (input.method === 'GET' ? [] : [...DEFAULT_BODY]);
  const problems: FieldProblem[] = validateWebhookTemplate({ method: input.method, url: input.url, headers: input.headers, body }).map(
    (problem) => ({ path: problem.path.join('.'), message: problem.message }),
  );
  const codes = input.connections.map(({ code }) => code);
  if (codes.length > 0) {
    const known = new Set(
      (await models.Connection.find({ tenantId, code: { $in: codes } }, { code: 1 }).lean()).map((connection) => connection.code),
    );
    codes.forEach((code, index) => {
      if (!known.has(code)) problems.push({ path: `connections.${index}.code`, message: `${code} is not one of your connections` });
    });
  }
  if (problems.length > 0) throw validationError(problems);
  return { body };
}

const sameConnections = (a: ReadonlyArray<{ code: string }>, b: ReadonlyArray<{ code?: string | null }>) => {
  const left = a.map(({ code }) => code).sort();
  const right = b.map(({ code }) => code ?? '').sort();
  return left.length === right.length && left.every((code, index) => code === right[index]);
};

export async function findIntegration(models: Models, tenantId: string, id: string): Promise<IntegrationDoc> {
  const doc = await models.Integration.findOne({ tenantId, _id: objectIdOrNull(id) }).lean();
  if (!doc) throw notFound('Integration');
  return doc as IntegrationDoc;
}

export function integrationsRouter(models: Models, secretBox: SecretBox): Router {
  const router = Router();
  router.post('/v1/integrations', async (req, res) => {
    const tenantId = tenantIdOf(req);
    const input = parseInput(IntegrationInputSchema, req.body);
    const { body } = await checkInput(models, tenantId, input);
    const responseToken = generateResponseToken();
    const signingSecret = generateSigningSecret();
    const doc = await models.Integration.create({
      tenantId,
      alias: input.alias,
      method: input.method,
      url: input.url,
      params: input.params,
      auth: storedAuthOf(input.auth, undefined, secretBox),
      headers: input.headers,
      body,
      connections: input.connections,
      status: 'INACTIVE',
      responseTokenHash: hashToken(responseToken),
      responseTokenSealed: secretBox.seal(responseToken),
      signingSecretSealed: secretBox.seal(signingSecret),
    });
    // The only response that carries the signing secret and token in clear: the owner stores them now.
    res.status(201).json({ ...presentIntegration(doc.toObject() as IntegrationDoc), responseToken, signingSecret });
  });

  router.get('/v1/integrations', async (req, res) => {
    const query = parseInput(ListQuerySchema, req.query);
    res.json(await listPage(query, (range, limit) => models.Integration.find({ tenantId: tenantIdOf(req), ...range }).sort({ _id: 1 }).limit(limit).lean(), presentIntegration));
  });

  router.get('/v1/integrations/:id', async (req, res) => {
    res.json(presentIntegration(await findIntegration(models, tenantIdOf(req), req.params.id)));
  });

  router.put('/v1/integrations/:id', async (req, res) => {
    const tenantId = tenantIdOf(req);
    const current = await findIntegration(models, tenantId, req.params.id);
    const input = parseInput(IntegrationInputSchema, req.body);
    const { body } = await checkInput(models, tenantId, input);
    const connectionsChanged = !sameConnections(input.connections, current.connections);
    const activeConflict = () =>
      conflict('INTEGRATION_ACTIVE', 'The connections of an active integration cannot change: stop it first');
    if (connectionsChanged && (current.status === 'ACTIVE' || current.activating)) throw activeConflict();
    // The status guard makes "change connections" and "start" exclusive even when they race.
    const guard: Record<string, unknown> = connectionsChanged ? { status: 'INACTIVE', activating: { $ne: true } } : {};
    const updated = await models.Integration.findOneAndUpdate(
      { _id: current._id, tenantId, ...guard },
      {
        $set: {
          alias: input.alias,
          method: input.method,
          url: input.url,
          params: input.params,
          auth: storedAuthOf(input.auth, current.auth, secretBox),
          headers: input.headers,
          body,
          connections: input.connections,
        },
      },
      { returnDocument: 'after', lean: true },
    );
    if (!updated) {
      if (await models.Integration.exists({ _id: current._id, tenantId })) throw activeConflict();
      throw notFound('Integration');
    }
    res.json(presentIntegration(updated as IntegrationDoc));
  });

  router.delete('/v1/integrations/:id', async (req, res) => {
    const tenantId = tenantIdOf(req);
    const current = await findIntegration(models, tenantId, req.params.id);
    const result = await models.Integration.deleteOne({ _id: current._id, tenantId, status: 'INACTIVE', activating: { $ne: true } });
    if (result.deletedCount === 0) {
      if (await models.Integration.exists({ _id: current._id, tenantId })) {
        throw conflict('INTEGRATION_ACTIVE', 'An active integration cannot be deleted: stop it first');
      }
      throw notFound('Integration');
    }
    res.status(204).end();
  });
  return router;
}

