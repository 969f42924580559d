import { createCampaignRepository } from './campaigns.js';
import { createChatRepository } from './chats.js';
import { createConnectionRepository } from './connections.js';
import { createDeliveryRepository } from './deliveries.js';
import { createIdempotencyRepository } from './idempotency-records.js';
import { createIntegrationRepository } from './integrations.js';
import type { Models } from './models.js';
import { createReceiptRepository } from './receipts.js';
import { createReplyRepository } from './replies.js';
import { createReservationRepository } from './reservations.js';
import { createSenderRepository } from './senders.js';
import { createTenantRepository } from './tenants.js';

/**
 * One repository per aggregate: every query the services and activities make. Each takes plain
 * inputs (ids as strings or as a document's ObjectId) and returns lean, typed documents.
 */
export function createRepositories(models: Models) {
  return {
    tenants: createTenantRepository(models),
    connections: createConnectionRepository(models),
    senders: createSenderRepository(models),
    reservations: createReservationRepository(models),
    integrations: createIntegrationRepository(models),
    campaigns: createCampaignRepository(models),
    chats: createChatRepository(models),
    deliveries: createDeliveryRepository(models),
    receipts: createReceiptRepository(models),
    replies: createReplyRepository(models),
    idempotency: createIdempotencyRepository(models),
  };
}

export type Repositories = ReturnType<typeof createRepositories>;
