import type { Services } from '../src/bin/runtime.js';
import { createCarrierSendActivities } from './carrier-send.js';
import { createChatRecordActivities } from './chat-records.js';
import { createIntegrationActivationActivities } from './integration-activation.js';
import { createWebhookDeliveryActivities } from './webhook-delivery.js';

export type ActivityServices = Pick<Services, 'models' | 'secretBox' | 'logger' | 'config' | 'dispatcher' | 'metrics'>;

/**
 * The worker's activities, built from the shared services so each activity gets its clients
 * by closure (one connection pool per worker, nothing global).
 */
export function createActivities(services: ActivityServices) {
  return {
    ...createIntegrationActivationActivities(services.models),
    ...createWebhookDeliveryActivities(services),
    ...createCarrierSendActivities({ ...services, timeoutMs: services.config.delivery.timeoutMs }),
    ...createChatRecordActivities(services.models),
  };
}

export type ChathookActivities = ReturnType<typeof createActivities>;
