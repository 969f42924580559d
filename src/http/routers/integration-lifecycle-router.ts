import { WorkflowFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { Router } from 'express';
import type { Models } from '../../db/models.js';
import { AppError, conflict } from '../../services/errors.js';
import type { ActivationResult } from '../../../workflows/integration-lifecycle-types.js';
import { activationWorkflowId, deactivationWorkflowId } from '../../../workflows/integration-lifecycle-types.js';
import type { integrationActivationWorkflow, integrationDeactivationWorkflow } from '../../../workflows/integration-lifecycle.js';
import { activationResultOf } from '../../../activities/integration-activation.js';
import { tenantIdOf } from '../auth.js';
import { findIntegration } from './integrations-router.js';

export interface LifecycleDeps {
  models: Models;
  temporal: Client;
  taskQueue: string;
  /** How long an HTTP start/stop waits for its workflow before answering 503. */
  waitMs: number;
}

const unavailable = (what: string) =>
  new AppError(503, 'ACTIVATION_PENDING', `The ${what} did not finish in time; it goes on in the background: call it again for the result`);

async function boundedResult<T>(result: Promise<T>, waitMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(unavailable(what)), waitMs);
  });
  try {
    return await Promise.race([result, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Temporal's failure of a workflow, as the API answers it: data problems keep their code. */
function failureOf(error: unknown): never {
  if (error instanceof WorkflowFailedError) {
    let cause: unknown = error.cause;
    while (cause && !(cause instanceof ApplicationFailure) && (cause as { cause?: unknown }).cause) cause = (cause as { cause?: unknown }).cause;
    if (cause instanceof ApplicationFailure && cause.type === 'LINKED_TO_LIVE_CAMPAIGNS') {
      throw conflict('LINKED_TO_LIVE_CAMPAIGNS', 'Pause the linked live campaigns before stopping', { campaigns: (cause.details?.[0] as unknown[]) ?? [] });
    }
    if (cause instanceof ApplicationFailure && cause.type === 'NOT_FOUND') throw new AppError(404, 'NOT_FOUND', 'Integration not found');
  }
  if (error instanceof AppError) throw error;
  throw new AppError(503, 'TEMPORAL_UNAVAILABLE', 'The workflow service did not answer; try again');
}

function activationResponse(result: ActivationResult) {
  const connections = result.connections.map((connection) =>
    connection.status === 'FAILED' ? { code: connection.code, status: 'FAILED', error: connection.error } : { code: connection.code, status: 'ACTIVE' },
  );
  if (result.status === 'ACTIVE') {
    return {
      status: 200,
      body: result.partial
        ? { status: 'ACTIVE', partial: true, message: 'Not all connections were activated', connections }
        : { status: 'ACTIVE', partial: false, connections },
    };
  }
  if (result.cancelled) {
    return { status: 409, body: { error: { code: 'ACTIVATION_CANCELLED', message: 'The integration was stopped while it was being activated' }, status: 'INACTIVE', connections } };
  }
  return {
    status: 409,
    body: { error: { code: 'ACTIVATION_FAILED', message: 'No connection could be activated' }, status: 'INACTIVE', connections },
  };
}

export function integrationLifecycleRouter(deps: LifecycleDeps): Router {
  const { models, temporal } = deps;
  const router = Router();
  router.post('/v1/integrations/:id/start', async (req, res) => {
    const tenantId = tenantIdOf(req);
    const integration = await findIntegration(models, tenantId, req.params.id);
    const integrationId = integration._id.toHexString();
    if (integration.status === 'ACTIVE' && !integration.activating) {
      const { status, body } = activationResponse(activationResultOf(integration));
      res.status(status).json(body);
      return;
    }
    const result = await temporal.workflow
      .start<typeof integrationActivationWorkflow>('integrationActivationWorkflow', {
        workflowId: activationWorkflowId(integrationId),
        taskQueue: deps.taskQueue,
        args: [{ tenantId, integrationId }],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
        workflowExecutionTimeout: '10m',
      })
      .then((handle) => boundedResult(handle.result(), deps.waitMs, 'activation'))
      .catch(failureOf);
    const { status, body } = activationResponse(result);
    res.status(status).json(body);
  });

  router.post('/v1/integrations/:id/stop', async (req, res) => {
    const tenantId = tenantIdOf(req);
    const integration = await findIntegration(models, tenantId, req.params.id);
    const integrationId = integration._id.toHexString();
    const live = await models.Campaign.find({ integrationId: integration._id, status: 'LIVE' }, { name: 1 }).lean();
    if (live.length > 0) {
      throw conflict('LINKED_TO_LIVE_CAMPAIGNS', 'Pause the linked live campaigns before stopping', {
        campaigns: live.map((campaign) => ({ id: campaign._id.toHexString(), name: campaign.name })),
      });
    }
    if (integration.status === 'INACTIVE' && !integration.activating) {
      res.json({ status: 'INACTIVE' });
      return;
    }
    await temporal.workflow
      .start<typeof integrationDeactivationWorkflow>('integrationDeactivationWorkflow', {
        workflowId: deactivationWorkflowId(integrationId),
        taskQueue: deps.taskQueue,
        args: [{ tenantId, integrationId }],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
        workflowExecutionTimeout: '10m',
      })
      .then((handle) => boundedResult(handle.result(), deps.waitMs, 'stop'))
      .catch(failureOf);
    res.json({ status: 'INACTIVE' });
  });

  router.get('/v1/integrations/:id/connections', async (req, res) => {
    const tenantId = tenantIdOf(req);
    const integration = await findIntegration(models, tenantId, req.params.id);
    const codes = integration.connections.map(({ code }) => code);
    const connections = new Map(
      (await models.Connection.find({ tenantId, code: { $in: codes } }).lean()).map((connection) => [connection.code, connection]),
    );
    const statuses = new Map((integration.connectionStatuses ?? []).map((status) => [status.code, status]));
    const items = codes.map((code) => {
      const connection = connections.get(code);
      const status = statuses.get(code);
      return {
        code,
        channel: connection?.channel ?? null,
        senders: connection?.senders ?? [],
        label: connection ? `${connection.channel} - ${code}` : code,
        status: integration.status === 'ACTIVE' ? (status?.status ?? 'INACTIVE') : status?.status === 'FAILED' ? 'FAILED' : 'INACTIVE',
        error: status?.status === 'FAILED' ? (status.error ?? null) : null,
        updatedAt: status?.at ?? null,
      };
    });
    res.json({ integrationId: integration._id.toHexString(), status: integration.status, items });
  });

  return router;
}
