import type { Services } from '../src/runtime.js';
import { createIntegrationActivationActivities } from './integration-activation.js';

/**
 * The worker's activities, built from the shared services so each activity gets its clients
 * by closure (one connection pool per worker, nothing global).
 */
export function createActivities(services: Pick<Services, 'models' | 'secretBox' | 'logger' | 'config'>) {
  return {
    ...createIntegrationActivationActivities(services.models),
  };
}

export type ChathookActivities = ReturnType<typeof createActivities>;
