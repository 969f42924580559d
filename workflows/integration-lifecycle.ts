/**
 * Integration lifecycle workflows: activation and stop of one Custom Webhook integration.
 *
 * Activation — id `integration-activation-<integrationId>` (contract.activationWorkflowId),
 * started with the "use existing" conflict policy so concurrent starts join one run. Lifecycle:
 * mark the integration as activating → claim each connection's senders in parallel (one activity
 * per connection, so the history shows which connection failed and why) → record the aggregate;
 * with none activated every claim made is released and the integration stays INACTIVE.
 * Completes with the aggregate result; fails with NOT_FOUND when the integration is gone.
 *
 * Stop — id `integration-deactivation-<integrationId>` (contract.deactivationWorkflowId). One
 * activity that makes the integration unroutable and releases its senders; as a workflow, a
 * worker crash mid-stop is finished by the next worker. Linked live campaigns block a stop before
 * it starts (services/activation.ts), so this run never refuses one.
 */
import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { ChathookActivities } from '../activities/index.js';
import { LIFECYCLE_ACTIVITY_OPTIONS } from './activity-options.js';
import { FailureType } from './contract/failures.js';
import type {
  ActivationInput,
  ActivationResult,
  ConnectionOutcome,
  DeactivationInput,
} from './contract/integration-lifecycle.js';

const { beginActivation, claimConnectionSenders, recordActivationResult, deactivateIntegration } =
  proxyActivities<ChathookActivities>(LIFECYCLE_ACTIVITY_OPTIONS);

/** A claim that failed: a data problem keeps its type; retries spent on infrastructure read UNAVAILABLE. */
function outcomeOfFailure(code: string, error: unknown): ConnectionOutcome {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure && cause.nonRetryable && cause.type) {
    return { code, status: 'FAILED', error: { code: cause.type, message: cause.message } };
  }
  return {
    code,
    status: 'FAILED',
    error: {
      code: FailureType.UNAVAILABLE,
      message: `connection ${code} could not be activated: the database did not answer`,
    },
  };
}

export async function integrationActivationWorkflow(input: ActivationInput): Promise<ActivationResult> {
  const begun = await beginActivation(input);
  if (begun.kind === 'ALREADY_ACTIVE') return begun.result;
  if (begun.kind === 'GONE')
    throw ApplicationFailure.create({
      type: FailureType.NOT_FOUND,
      message: 'integration not found',
      nonRetryable: true,
    });
  const connections = await Promise.all(
    begun.connectionCodes.map(async (code): Promise<ConnectionOutcome> => {
      try {
        await claimConnectionSenders({ ...input, connectionCode: code });
        return { code, status: 'ACTIVE' };
      } catch (error) {
        return outcomeOfFailure(code, error);
      }
    }),
  );
  return recordActivationResult({ ...input, connections });
}

export async function integrationDeactivationWorkflow(input: DeactivationInput): Promise<{ status: 'INACTIVE' }> {
  return deactivateIntegration(input);
}
