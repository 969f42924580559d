// The workflow bundle's entry: every workflow type the worker runs is exported from here.
import type { ChatSessionWorkflow } from './contract/chat-session.js';
import type { DeliveryReplayWorkflow } from './contract/delivery-replay.js';
import { WorkflowType } from './contract/ids.js';
import type {
  IntegrationActivationWorkflow,
  IntegrationDeactivationWorkflow,
} from './contract/integration-lifecycle.js';
import { chatSessionWorkflow } from './chat-session-workflow.js';
import { deliveryReplayWorkflow } from './delivery-replay.js';
import { integrationActivationWorkflow, integrationDeactivationWorkflow } from './integration-lifecycle.js';

export { chatSessionWorkflow, deliveryReplayWorkflow, integrationActivationWorkflow, integrationDeactivationWorkflow };

// The API starts workflows by the contract's names and signatures (it never imports this code):
// a workflow renamed or retyped without the contract fails to compile here.
void ({
  chatSessionWorkflow,
  integrationActivationWorkflow,
  integrationDeactivationWorkflow,
  deliveryReplayWorkflow,
} satisfies {
  [WorkflowType.CHAT]: ChatSessionWorkflow;
  [WorkflowType.ACTIVATION]: IntegrationActivationWorkflow;
  [WorkflowType.DEACTIVATION]: IntegrationDeactivationWorkflow;
  [WorkflowType.DELIVERY_REPLAY]: DeliveryReplayWorkflow;
});
