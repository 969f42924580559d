// The workflow bundle's entry: every workflow type the worker runs is exported from here.
export { integrationActivationWorkflow, integrationDeactivationWorkflow } from './integration-lifecycle.js';
export { chatLifecycleWorkflow } from './chat-lifecycle.js';
export { deliveryReplayWorkflow } from './delivery-replay.js';
