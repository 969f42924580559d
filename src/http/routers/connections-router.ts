import { Router } from 'express';
import { isDuplicateKeyError, type ConnectionDoc, type Models } from '../../db/models.js';
import { conflict, notFound } from '../../services/errors.js';
import type { SecretBox } from '../../platform/secrets.js';
import { tenantIdOf } from '../auth.js';
import { listPage } from '../../db/pagination.js';
import { ConnectionCreateSchema, ListQuerySchema } from '../schemas.js';
import { parseInput } from '../validation.js';

export function presentConnection(doc: ConnectionDoc) {
  const carrier =
    doc.carrier?.type === 'http'
      ? { type: 'http' as const, url: doc.carrier.url, secretSet: Boolean(doc.carrier.secretSealed) }
      : { type: 'sandbox' as const };
  return {
    id: doc.code,
    code: doc.code,
    channel: doc.channel,
    senders: doc.senders,
    carrier,
    label: `${doc.channel} - ${doc.code}`,
    createdAt: doc.createdAt,
  };
}

export function connectionsRouter(models: Models, secretBox: SecretBox): Router {
  const router = Router();
  router.post('/v1/connections', async (req, res) => {
    const tenantId = tenantIdOf(req);
    const input = parseInput(ConnectionCreateSchema, req.body);
    const taken = () => conflict('CONNECTION_CODE_TAKEN', `Connection code ${input.code} is already taken`);
    if (await models.Connection.exists({ code: input.code })) throw taken();
    const carrier: ConnectionDoc['carrier'] =
      input.carrier.type === 'http'
        ? { type: 'http', url: input.carrier.url, secretSealed: input.carrier.secret ? secretBox.seal(input.carrier.secret) : undefined }
        : { type: 'sandbox' };
    try {
      const doc = await models.Connection.create({ tenantId, code: input.code, channel: input.channel, senders: input.senders, carrier });
      res.status(201).json(presentConnection(doc.toObject()));
    } catch (error) {
      if (isDuplicateKeyError(error)) throw taken();
      throw error;
    }
  });

  router.get('/v1/connections', async (req, res) => {
    const query = parseInput(ListQuerySchema, req.query);
    res.json(await listPage(query, (range, limit) => models.Connection.find({ tenantId: tenantIdOf(req), ...range }).sort({ _id: 1 }).limit(limit).lean(), presentConnection));
  });

  router.get('/v1/connections/:code', async (req, res) => {
    const doc = await models.Connection.findOne({ tenantId: tenantIdOf(req), code: req.params.code }).lean();
    if (!doc) throw notFound('Connection');
    res.json(presentConnection(doc));
  });

  router.delete('/v1/connections/:code', async (req, res) => {
    const tenantId = tenantIdOf(req);
    const code = req.params.code;
    const doc = await models.Connection.findOne({ tenantId, code }, { _id: 1 }).lean();
    if (!doc) throw notFound('Connection');
    const users = await models.Integration.find({ tenantId, 'connections.code': code }, { _id: 1, alias: 1 }).limit(20).lean();
    if (users.length > 0) {
      throw conflict('CONNECTION_IN_USE', `Connection ${code} is used by ${users.length === 1 ? 'an integration' : 'integrations'}: remove it from them first`, {
        integrations: users.map((user) => ({ id: user._id.toHexString(), alias: user.alias })),
      });
    }
    await models.Connection.deleteOne({ _id: doc._id });
    res.status(204).end();
  });
  return router;
}
