/** The integration lifecycle's data and ids now live in ./contract.ts; the old names stay here. */
export {
  activationWorkflowId,
  deactivationWorkflowId,
  type ActivationInput,
  type ActivationResult,
  type BeginActivationResult,
  type ClaimConnectionInput,
  type ConnectionOutcome,
  type DeactivationInput,
} from './contract.js';
