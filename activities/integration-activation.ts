import { ApplicationFailure } from '@temporalio/activity';
import type { ConnectionRepository } from '../src/db/connections.js';
import { activationResultOf, type ConnectionStatusRecord, type IntegrationRepository } from '../src/db/integrations.js';
import { describeConflicts, senderScopeOf, type SenderRepository } from '../src/db/senders.js';
import { FailureType } from '../workflows/contract/failures.js';
import {
  type ActivationInput,
  type ActivationResult,
  type ConnectionOutcome,
  type DeactivationInput,
} from '../workflows/contract/integration-lifecycle.js';
import { type BeginActivationResult, type ClaimConnectionInput } from '../workflows/contract/activity-io.js';

export interface IntegrationActivationDeps {
  integrations: IntegrationRepository;
  connections: ConnectionRepository;
  senders: SenderRepository;
}

/**
 * Activities of the activation and stop workflows. Failures about the data (sender in use,
 * connection gone) are non-retryable; anything else (the database not answering) is thrown as
 * is and retried by the workflow's retry policy.
 */
export function createIntegrationActivationActivities(deps: IntegrationActivationDeps) {
  const { integrations, senders } = deps;
  return {
    /** Marks the integration as being activated, or reports that there is nothing to do. */
    async beginActivation(input: ActivationInput): Promise<BeginActivationResult> {
      const begun = await integrations.markActivating(input.tenantId, input.integrationId);
      if (begun) return { kind: 'BEGUN', connectionCodes: begun.connections.map(({ code }) => code) };
      const current = await integrations.findForTenant(input.tenantId, input.integrationId);
      if (!current) return { kind: 'GONE' };
      return { kind: 'ALREADY_ACTIVE', result: activationResultOf(current) };
    },

    /**
     * Claims every sender of one connection for the integration, all or none (a sandbox connection's within its
     * tenant).
     */
    async claimConnectionSenders(input: ClaimConnectionInput): Promise<void> {
      const connection = await deps.connections.findForTenant(input.tenantId, input.connectionCode);
      if (!connection) {
        throw ApplicationFailure.create({
          type: FailureType.CONNECTION_NOT_FOUND,
          message: `connection ${input.connectionCode} no longer exists`,
          nonRetryable: true,
        });
      }
      const outcome = await senders.claim({
        channel: connection.channel,
        senders: connection.senders.map((sender) => ({ sender, scope: senderScopeOf(connection.carrier.type) })),
        holderKind: 'INTEGRATION',
        holderId: input.integrationId,
        tenantId: input.tenantId,
        connectionCode: connection.code,
      });
      if (!outcome.ok) {
        throw ApplicationFailure.create({
          type: FailureType.SENDER_IN_USE,
          message: `${connection.channel} - ${connection.code}: ${describeConflicts(outcome.conflicts)}`,
          nonRetryable: true,
          details: [outcome.conflicts],
        });
      }
    },

    /**
     * Records the outcome in one document update. With no connection activated (or when a
     * stop cancelled the run meanwhile) every sender claimed during the attempt is released.
     */
    async recordActivationResult(
      input: ActivationInput & { connections: ConnectionOutcome[] },
    ): Promise<ActivationResult> {
      const { integrationId } = input;
      const activated =
        input.connections.length === 0 || input.connections.some((connection) => connection.status === 'ACTIVE');
      const at = new Date();
      const statuses: ConnectionStatusRecord[] = input.connections.map((connection) => ({
        code: connection.code,
        status: connection.status,
        error: connection.error ?? null,
        at,
      }));
      if (!(await integrations.recordActivation(integrationId, activated, statuses))) {
        await senders.release(integrationId);
        return { status: 'INACTIVE', partial: false, connections: input.connections, cancelled: true };
      }
      if (!activated) {
        await senders.release(integrationId);
        return { status: 'INACTIVE', partial: false, connections: input.connections };
      }
      for (const failed of input.connections.filter((connection) => connection.status === 'FAILED')) {
        await senders.release(integrationId, failed.code);
      }
      return {
        status: 'ACTIVE',
        partial: input.connections.some((connection) => connection.status === 'FAILED'),
        connections: input.connections,
      };
    },

    /**
     * Stops the integration: no longer routable first, then its senders are released. Whether
     * linked live campaigns block the stop is the stop service's to decide, before it runs this.
     */
    async deactivateIntegration(input: DeactivationInput): Promise<{ status: 'INACTIVE' }> {
      await integrations.markStopped(input.tenantId, input.integrationId, new Date());
      await senders.release(input.integrationId);
      return { status: 'INACTIVE' };
    },
  };
}
