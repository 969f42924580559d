// The workflow bundle's entry: every workflow type the worker runs is exported from here.
export { integrationActivationWorkflow, integrationDeactivationWorkflow } from './integration-lifecycle.js';
