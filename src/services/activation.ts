/**
 * Start and Stop of an integration (SPEC section 2): the activation and deactivation workflows
 * do the work (claims per connection, cancellation by a stop); this decides when to run them,
 * waits a bounded time for their result, and turns results and failures into answers.
 */
import type { CampaignRepository } from '../db/campaigns.js';
import type { ConnectionRepository } from '../db/connections.js';
import { activationResultOf, type IntegrationDoc, type IntegrationRepository } from '../db/integrations.js';
import type { LifecycleOutcome, TemporalGateway } from '../temporal/gateway.js';
import type { ActivationResult } from '../../workflows/contract/integration-lifecycle.js';
import { AppError, ErrorCode } from './errors.js';
import { findTenantIntegration } from './integrations.js';
import { errorOfRefusal } from './workflow-refusals.js';

export interface ActivationDeps {
  integrations: IntegrationRepository;
  /** Linked live campaigns block a stop. */
  campaigns: CampaignRepository;
  /** Connections Details show each connection's channel and senders. */
  connections: ConnectionRepository;
  gateway: TemporalGateway;
  /**
   * How long a start or stop waits for its workflow before answering ACTIVATION_PENDING (it goes on in the background).
   */
  waitMs: number;
}

export interface ConnectionActivation {
  code: string;
  status: 'ACTIVE' | 'FAILED';
  error?: { code: string; message: string };
}

/** A start that activated at least one connection; `partial` when some failed. */
export interface Activated {
  status: 'ACTIVE';
  partial: boolean;
  message?: string;
  connections: ConnectionActivation[];
}

/** LINKED_TO_LIVE_CAMPAIGNS, naming the campaigns: checked here only, the stop's workflow does not look again. */
const linkedToLiveCampaigns = (campaigns: unknown[]) =>
  new AppError({
    code: ErrorCode.LINKED_TO_LIVE_CAMPAIGNS,
    message: 'Pause the linked live campaigns before stopping',
    details: { campaigns },
  });

const temporalUnavailable = () =>
  new AppError({ code: ErrorCode.TEMPORAL_UNAVAILABLE, message: 'The workflow service did not answer; try again' });

/** The workflow's result, or the error its outcome answers with. */
function resultOf<T>(outcome: LifecycleOutcome<T>, what: 'activation' | 'stop'): T {
  switch (outcome.kind) {
    case 'COMPLETED':
      return outcome.result;
    case 'STILL_RUNNING':
      throw new AppError({
        code: ErrorCode.ACTIVATION_PENDING,
        message: `The ${what} did not finish in time; it goes on in the background: call it again for the result`,
      });
    case 'FAILED':
      // Data problems keep their code; anything else the workflow failed with is an outage.
      throw errorOfRefusal('lifecycle', outcome.failure, temporalUnavailable);
    case 'UNAVAILABLE':
      throw temporalUnavailable();
  }
}

/** ACTIVE (maybe partial) is an answer; no connection activated, or a stop that cancelled the run, is refused. */
function activatedOf(result: ActivationResult): Activated {
  const connections = result.connections.map((connection): ConnectionActivation =>
    connection.status === 'FAILED'
      ? { code: connection.code, status: 'FAILED', error: connection.error }
      : { code: connection.code, status: 'ACTIVE' },
  );
  if (result.status === 'ACTIVE') {
    return result.partial
      ? { status: 'ACTIVE', partial: true, message: 'Not all connections were activated', connections }
      : { status: 'ACTIVE', partial: false, connections };
  }
  const siblings = { status: 'INACTIVE', connections };
  if (result.cancelled)
    throw new AppError({
      code: ErrorCode.ACTIVATION_CANCELLED,
      message: 'The integration was stopped while it was being activated',
      siblings,
    });
  throw new AppError({ code: ErrorCode.ACTIVATION_FAILED, message: 'No connection could be activated', siblings });
}

/** Activates every connection independently; an active integration answers with its recorded state. */
export async function startIntegration(
  deps: Pick<ActivationDeps, 'integrations' | 'gateway' | 'waitMs'>,
  input: { tenantId: string; id: string },
): Promise<Activated> {
  const { tenantId } = input;
  const integration = await findTenantIntegration(deps, input);
  if (integration.status === 'ACTIVE' && !integration.activating) return activatedOf(activationResultOf(integration));
  const outcome = await deps.gateway.runActivation(
    { tenantId, integrationId: integration._id.toHexString() },
    deps.waitMs,
  );
  return activatedOf(resultOf(outcome, 'activation'));
}

/**
 * Releases the senders; refused while linked campaigns are live (checked here only: the stop's
 * workflow does not look again), a no-op when already inactive.
 */
export async function stopIntegration(
  deps: Pick<ActivationDeps, 'integrations' | 'campaigns' | 'gateway' | 'waitMs'>,
  input: { tenantId: string; id: string },
): Promise<void> {
  const { tenantId } = input;
  const integration = await findTenantIntegration(deps, input);
  const live = await deps.campaigns.listLiveLinkedTo(integration._id);
  if (live.length > 0)
    throw linkedToLiveCampaigns(live.map((campaign) => ({ id: campaign._id.toHexString(), name: campaign.name })));
  if (integration.status === 'INACTIVE' && !integration.activating) return;
  resultOf(
    await deps.gateway.runDeactivation({ tenantId, integrationId: integration._id.toHexString() }, deps.waitMs),
    'stop',
  );
}

export interface ConnectionDetails {
  integration: IntegrationDoc;
  items: Array<{
    code: string;
    channel: 'SMS' | 'WHATSAPP' | null;
    senders: string[];
    label: string;
    status: 'ACTIVE' | 'FAILED' | 'INACTIVE';
    error: { code: string; message: string } | null;
    updatedAt: Date | null;
  }>;
}

/** Connections Details: each connection of the integration with the outcome of its last start or stop. */
export async function connectionDetails(
  deps: Pick<ActivationDeps, 'integrations' | 'connections'>,
  input: { tenantId: string; id: string },
): Promise<ConnectionDetails> {
  const integration = await findTenantIntegration(deps, input);
  const codes = integration.connections.map(({ code }) => code ?? '');
  const connections = new Map(
    (await deps.connections.listByCodes(input.tenantId, codes)).map((connection) => [connection.code, connection]),
  );
  const statuses = new Map((integration.connectionStatuses ?? []).map((status) => [status.code, status]));
  const items = codes.map((code) => {
    const connection = connections.get(code);
    const status = statuses.get(code);
    // An inactive integration shows only the failures of its last start; everything else is INACTIVE.
    const shown =
      integration.status === 'ACTIVE'
        ? (status?.status ?? 'INACTIVE')
        : status?.status === 'FAILED'
          ? 'FAILED'
          : 'INACTIVE';
    return {
      code,
      channel: connection?.channel ?? null,
      senders: connection?.senders ?? [],
      label: connection ? `${connection.channel} - ${code}` : code,
      status: shown,
      error:
        status?.status === 'FAILED' && status.error
          ? { code: status.error.code ?? '', message: status.error.message ?? '' }
          : null,
      updatedAt: status?.at ?? null,
    };
  });
  return { integration, items };
}
