import type { Services } from '../src/runtime.js';

/**
 * The worker's activities, built from the shared services so each activity gets its clients
 * by closure (one connection pool per worker, nothing global).
 */
export function createActivities(_services: Pick<Services, 'models' | 'secretBox' | 'logger' | 'config'>) {
  return {};
}

export type ChathookActivities = ReturnType<typeof createActivities>;
