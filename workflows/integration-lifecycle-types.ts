/** Inputs and results of the integration lifecycle workflows (plain data: they cross Temporal). */

export interface ActivationInput {
  tenantId: string;
  integrationId: string;
}

export interface ConnectionOutcome {
  code: string;
  status: 'ACTIVE' | 'FAILED';
  error?: { code: string; message: string };
}

export interface ActivationResult {
  status: 'ACTIVE' | 'INACTIVE';
  partial: boolean;
  connections: ConnectionOutcome[];
  /** True when a stop cancelled this run before it could record its result. */
  cancelled?: boolean;
}

export type BeginActivationResult =
  | { kind: 'ALREADY_ACTIVE'; result: ActivationResult }
  | { kind: 'GONE' }
  | { kind: 'BEGUN'; connectionCodes: string[] };

export interface ClaimConnectionInput {
  tenantId: string;
  integrationId: string;
  connectionCode: string;
}

export interface DeactivationInput {
  tenantId: string;
  integrationId: string;
}

export const activationWorkflowId = (integrationId: string) => `integration-activation-${integrationId}`;
export const deactivationWorkflowId = (integrationId: string) => `integration-deactivation-${integrationId}`;
