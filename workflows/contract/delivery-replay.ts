/**
 * The delivery replay workflow's signature. Part of the workflow contract (workflows/contract/):
 * the API starts a replay with this input; the workflow never reads the delivery's row for it.
 */
import type { ChatEvent } from '../../src/domain/webhook-template.js';
import type { ChatSettings } from './chat-session.js';

export interface DeliverWebhookInput {
  tenantId: string;
  integrationId: string;
  deliveryId: string;
  event: ChatEvent;
  createdAt: string;
}

export interface DeliveryReplayInput {
  delivery: DeliverWebhookInput;
  settings: ChatSettings;
  /** The replay's series number: one after the last recorded (the chat's own is 0). */
  series: number;
}

export type DeliveryReplayWorkflow = (input: DeliveryReplayInput) => Promise<void>;
