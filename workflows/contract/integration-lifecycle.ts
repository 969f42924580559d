/**
 * The integration lifecycle workflows' signatures: activation and stop, their inputs and results.
 * Part of the workflow contract (workflows/contract/): the API starts them and stores the result
 * on the integration (src/db reads it as a type), so all sides share it.
 */

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

export interface DeactivationInput {
  tenantId: string;
  integrationId: string;
}

export type IntegrationActivationWorkflow = (input: ActivationInput) => Promise<ActivationResult>;
export type IntegrationDeactivationWorkflow = (input: DeactivationInput) => Promise<{ status: 'INACTIVE' }>;
