import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { ChathookActivities } from '../activities/index.js';
import type { ActivationInput, ActivationResult, ConnectionOutcome, DeactivationInput } from './integration-lifecycle-types.js';

/*
 * Data problems fail at once (non-retryable); infrastructure problems (the database not
 * answering) are retried a bounded number of times, after which the connection counts as failed.
 */
const { beginActivation, claimConnectionSenders, recordActivationResult, deactivateIntegration } = proxyActivities<ChathookActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 6 },
});

function outcomeOfFailure(code: string, error: unknown): ConnectionOutcome {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure && cause.nonRetryable && cause.type) {
    return { code, status: 'FAILED', error: { code: cause.type, message: cause.message } };
  }
  return { code, status: 'FAILED', error: { code: 'UNAVAILABLE', message: `connection ${code} could not be activated: the database did not answer` } };
}

/**
 * Activation of one Custom Webhook integration.
 * Id: `integration-activation-<integrationId>`; started with the "use existing" conflict policy,
 * so concurrent starts join one run. Lifecycle: mark the integration as activating → claim each
 * connection's senders in parallel (one activity per connection, so the history shows which
 * connection failed and why) → record the aggregate; with none activated every claim made is
 * released and the integration stays INACTIVE. Completes with the aggregate result.
 */
export async function integrationActivationWorkflow(input: ActivationInput): Promise<ActivationResult> {
  const begun = await beginActivation(input);
  if (begun.kind === 'ALREADY_ACTIVE') return begun.result;
  if (begun.kind === 'GONE') throw ApplicationFailure.create({ type: 'NOT_FOUND', message: 'integration not found', nonRetryable: true });
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

/**
 * Stop of one integration. Id: `integration-deactivation-<integrationId>`. One activity that
 * makes the integration unroutable and releases its senders; as a workflow, a worker crash
 * mid-stop is finished by the next worker.
 */
export async function integrationDeactivationWorkflow(input: DeactivationInput): Promise<{ status: 'INACTIVE' }> {
  return deactivateIntegration(input);
}
