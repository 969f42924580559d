/**
 * When a webhook receiver answers again after failures, the other chats of its integration are
 * told (signal `receiverRecovered`), so their deliveries waiting out a doubled backoff try now:
 * a backlog drains within seconds of the receiver's return instead of one backoff interval later.
 *
 * Cheap on purpose: only a success after a failed attempt announces (never in steady state), at
 * most once per integration per `debounceMs` in a worker, to at most `maxChats` running chats
 * found through the integration's search attribute, a few signals at a time. Best effort: a chat
 * that misses it still retries at its scheduled time.
 */
import type { Client } from '@temporalio/client';
import type { Logger } from '../platform/logger.js';
import { receiverRecoveredSignal } from '../../workflows/contract/chat-messages.js';
import { WorkflowType } from '../../workflows/contract/ids.js';
import { CHAT_SEARCH_ATTRIBUTE_KEYS } from '../../workflows/contract/search-attributes.js';

export type ReceiverRecoveryAnnouncer = (integrationId: string, fromWorkflowId: string) => void;

export interface ReceiverRecoveryOptions {
  debounceMs?: number;
  maxChats?: number;
  concurrency?: number;
}

export function createReceiverRecoveryAnnouncer(
  client: Client,
  logger: Logger,
  options: ReceiverRecoveryOptions = {},
): ReceiverRecoveryAnnouncer {
  const { debounceMs = 10_000, maxChats = 5_000, concurrency = 8 } = options;
  const lastAnnounced = new Map<string, number>();

  async function signalWaitingChats(integrationId: string, fromWorkflowId: string): Promise<number> {
    const query = `WorkflowType = '${WorkflowType.CHAT}' AND ${CHAT_SEARCH_ATTRIBUTE_KEYS.integrationId.name} = '${integrationId}' AND ExecutionStatus = 'Running'`;
    let signalled = 0;
    let batch: Promise<unknown>[] = [];
    for await (const execution of client.workflow.list({ query })) {
      if (execution.workflowId === fromWorkflowId) continue;
      if (signalled >= maxChats) break;
      signalled += 1;
      // A chat that closed meanwhile has nothing to wake.
      batch.push(
        client.workflow
          .getHandle(execution.workflowId)
          .signal(receiverRecoveredSignal)
          .catch(() => undefined),
      );
      if (batch.length >= concurrency) {
        await Promise.all(batch);
        batch = [];
      }
    }
    await Promise.all(batch);
    return signalled;
  }

  return (integrationId, fromWorkflowId) => {
    // Ids are ObjectId hex: anything else never reaches the visibility query.
    if (!/^[0-9a-f]{24}$/.test(integrationId)) return;
    const now = Date.now();
    if (now - (lastAnnounced.get(integrationId) ?? 0) < debounceMs) return;
    lastAnnounced.set(integrationId, now);
    signalWaitingChats(integrationId, fromWorkflowId).then(
      (signalled) =>
        logger.info(
          { integrationId, signalled },
          'receiver answered again: waiting deliveries of its other chats try now',
        ),
      (error: unknown) =>
        logger.warn(
          { err: error, integrationId },
          'could not tell the chats their receiver is back; they retry on schedule',
        ),
    );
  };
}
