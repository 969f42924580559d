import { ApplicationFailure } from '@temporalio/activity';
import mongoose from 'mongoose';
import type { ConnectionStatusRecord, IntegrationDoc, Models } from '../src/db/models.js';
import { activationResultOf } from '../src/db/integrations.js';
import { claimSenders, describeConflicts, releaseClaims, senderScopeOf } from '../src/db/sender-claims.js';
import type { BeginActivationResult, ClaimConnectionInput } from '../workflows/contract/activity-io.js';
import { FailureType } from '../workflows/contract/failures.js';
import type { ActivationInput, ActivationResult, ConnectionOutcome, DeactivationInput } from '../workflows/contract/integration-lifecycle.js';

const objectId = (id: string) => new mongoose.Types.ObjectId(id);

/**
 * Activities of the activation and stop workflows. Failures about the data (sender in use,
 * connection gone, campaigns live) are non-retryable; anything else (the database not
 * answering) is thrown as is and retried by the workflow's retry policy.
 */
export function createIntegrationActivationActivities(models: Models) {
  return {
    /** Marks the integration as being activated, or reports that there is nothing to do. */
    async beginActivation(input: ActivationInput): Promise<BeginActivationResult> {
      const filter = { _id: objectId(input.integrationId), tenantId: objectId(input.tenantId) };
      const begun = await models.Integration.findOneAndUpdate(
        { ...filter, status: 'INACTIVE' },
        { $set: { activating: true } },
        { returnDocument: 'after', lean: true },
      );
      if (begun) return { kind: 'BEGUN', connectionCodes: begun.connections.map(({ code }) => code) };
      const current = await models.Integration.findOne(filter).lean();
      if (!current) return { kind: 'GONE' };
      return { kind: 'ALREADY_ACTIVE', result: activationResultOf(current) };
    },

    /** Claims every sender of one connection for the integration, all or none (a sandbox connection's within its tenant). */
    async claimConnectionSenders(input: ClaimConnectionInput): Promise<void> {
      const tenantId = objectId(input.tenantId);
      const connection = await models.Connection.findOne({ tenantId, code: input.connectionCode }).lean();
      if (!connection) {
        throw ApplicationFailure.create({
          type: FailureType.CONNECTION_NOT_FOUND,
          message: `connection ${input.connectionCode} no longer exists`,
          nonRetryable: true,
        });
      }
      const outcome = await claimSenders(models, {
        channel: connection.channel,
        senders: connection.senders.map((sender) => ({ sender, scope: senderScopeOf(connection.carrier.type) })),
        holderKind: 'INTEGRATION',
        holderId: objectId(input.integrationId),
        tenantId,
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
    async recordActivationResult(input: ActivationInput & { connections: ConnectionOutcome[] }): Promise<ActivationResult> {
      const integrationId = objectId(input.integrationId);
      const activated = input.connections.length === 0 || input.connections.some((connection) => connection.status === 'ACTIVE');
      const at = new Date();
      const statuses: ConnectionStatusRecord[] = input.connections.map((connection) => ({
        code: connection.code,
        status: connection.status,
        error: connection.error ?? null,
        at,
      }));
      const recorded = await models.Integration.updateOne(
        { _id: integrationId, activating: true },
        { $set: { status: activated ? 'ACTIVE' : 'INACTIVE', activating: false, connectionStatuses: statuses } },
      );
      if (recorded.matchedCount === 0) {
        await releaseClaims(models, integrationId);
        return { status: 'INACTIVE', partial: false, connections: input.connections, cancelled: true };
      }
      if (!activated) {
        await releaseClaims(models, integrationId);
        return { status: 'INACTIVE', partial: false, connections: input.connections };
      }
      for (const failed of input.connections.filter((connection) => connection.status === 'FAILED')) {
        await releaseClaims(models, integrationId, failed.code);
      }
      return {
        status: 'ACTIVE',
        partial: input.connections.some((connection) => connection.status === 'FAILED'),
        connections: input.connections,
      };
    },

    /** Stops the integration: no longer routable first, then its senders are released. */
    async deactivateIntegration(input: DeactivationInput): Promise<{ status: 'INACTIVE' }> {
      const integrationId = objectId(input.integrationId);
      const live = await models.Campaign.find({ integrationId, status: 'LIVE' }, { name: 1 }).lean();
      if (live.length > 0) {
        throw ApplicationFailure.create({
          type: FailureType.LINKED_TO_LIVE_CAMPAIGNS,
          message: `linked campaigns are live: ${live.map((campaign) => campaign.name).join(', ')}`,
          nonRetryable: true,
          details: [live.map((campaign) => ({ id: campaign._id.toHexString(), name: campaign.name }))],
        });
      }
      const current = await models.Integration.findOne({ _id: integrationId, tenantId: objectId(input.tenantId) }).lean();
      if (current) {
        const at = new Date();
        await models.Integration.updateOne(
          { _id: integrationId },
          {
            $set: {
              status: 'INACTIVE',
              activating: false,
              connectionStatuses: current.connections.map(({ code }) => ({ code, status: 'INACTIVE', error: null, at })),
            },
          },
        );
      }
      await releaseClaims(models, integrationId);
      return { status: 'INACTIVE' };
    },
  };
}
