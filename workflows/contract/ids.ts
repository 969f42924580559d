/**
 * Workflow types and ids. Part of the workflow contract (workflows/contract/): pure, so that
 * workflows, activities and src/temporal can all import it; nothing in the contract does I/O
 * or reads a clock, and the API side reaches workflows only through it.
 */

/** The names the worker registers (workflows/index.ts exports functions of these names). */
export const WorkflowType = {
  /** Events live in the deliveries collection; the workflow carries ids. */
  CHAT: 'chatSessionWorkflow',
  ACTIVATION: 'integrationActivationWorkflow',
  DEACTIVATION: 'integrationDeactivationWorkflow',
  DELIVERY_REPLAY: 'deliveryReplayWorkflow',
} as const;

/** At most one chat per (integration, contact) is open: the id is derived from the pair. */
export const chatWorkflowId = (integrationId: string, contact: string) => `chat-${integrationId}-${contact}`;
export const activationWorkflowId = (integrationId: string) => `integration-activation-${integrationId}`;
export const deactivationWorkflowId = (integrationId: string) => `integration-deactivation-${integrationId}`;
/** One replay series per delivery at a time: a second start while one runs is refused (409). */
export const deliveryReplayWorkflowId = (deliveryId: string) => `delivery-replay-${deliveryId}`;
