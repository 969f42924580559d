// The workflow bundle's entry: every workflow type the worker runs is exported from here.
import {
  WorkflowType,
  type ChatLifecycleWorkflow,
  type ChatSessionWorkflow,
  type DeliveryReplayWorkflow,
  type IntegrationActivationWorkflow,
  type IntegrationDeactivationWorkflow,
} from './contract.js';
import { chatLifecycleWorkflow } from './legacy/chat-lifecycle.js';
import { chatSessionWorkflow } from './chat-session-workflow.js';
import { deliveryReplayWorkflow } from './delivery-replay.js';
import { integrationActivationWorkflow, integrationDeactivationWorkflow } from './integration-lifecycle.js';

export { chatSessionWorkflow, chatLifecycleWorkflow, deliveryReplayWorkflow, integrationActivationWorkflow, integrationDeactivationWorkflow };

// The API starts workflows by the contract's names and signatures (it never imports this code):
// a workflow renamed or retyped without the contract fails to compile here.
void ({ chatSessionWorkflow, chatLifecycleWorkflow, integrationActivationWorkflow, integrationDeactivationWorkflow, deliveryReplayWorkflow } satisfies {
  [WorkflowType.CHAT]: ChatSessionWorkflow;
  [WorkflowType.LEGACY_CHAT]: ChatLifecycleWorkflow;
  [WorkflowType.ACTIVATION]: IntegrationActivationWorkflow;
  [WorkflowType.DEACTIVATION]: IntegrationDeactivationWorkflow;
  [WorkflowType.DELIVERY_REPLAY]: DeliveryReplayWorkflow;
});
