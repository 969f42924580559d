import { NativeConnection, Worker } from '@temporalio/worker';
import type { ActivityOptions } from '@temporalio/common';
import { fileURLToPath } from 'node:url';
import type { Client, Connection } from '@temporalio/client';
import { createActivities, type ActivityDeps } from '../../activities/index.js';
import { parseDuration } from '../platform/config.js';
import {
  CARRIER_SEND_ACTIVITY_OPTIONS,
  LIFECYCLE_ACTIVITY_OPTIONS,
  RECORD_ACTIVITY_OPTIONS,
  ACCEPT_ACTIVITY_OPTIONS,
  attemptActivityOptions,
} from '../../workflows/activity-options.js';
import type { ChatSettings } from '../../workflows/contract/chat-session.js';
import { chatSettingsOf } from './gateway.js';
import { installTemporalRuntimeLogger } from './runtime-logger.js';
import { ensureChatSearchAttributes } from './search-attributes.js';
import { createReceiverRecoveryAnnouncer } from './receiver-recovery.js';

export interface RunningWorker {
  worker: Worker;
  /** Resolves when the worker has stopped (after `shutdown()`), rejects if it crashed. */
  done: Promise<void>;
  /** Stops polling, lets in-flight tasks finish (up to the grace time), then resolves. */
  shutdown(): Promise<void>;
  shutdownGraceMs: number;
}

/**
 * What a worker needs: the activities' clients, and the API-side Temporal connection (search
 * attributes, and the announcer of a receiver's recovery the worker wires from it).
 */
export interface WorkerDeps extends Omit<ActivityDeps, 'announceReceiverRecovered'> {
  temporal: { connection: Connection; client: Client };
}

/**
 * A worker restarted after a stop gets its chats' next workflow tasks within this: a task queued
 * on the stopped worker's sticky queue moves to the shared queue after it (the SDK's 10 s default
 * would hold a chat's queue that long, SPEC 6 asks for 5 s).
 */
export const STICKY_QUEUE_SCHEDULE_TO_START_MS = 3_000;

const msOf = (timeout: ActivityOptions['startToCloseTimeout']) =>
  typeof timeout === 'number' ? timeout : parseDuration(String(timeout ?? '0ms'));

/**
 * How long a stopping worker lets in-flight activities run: longer than any activity's
 * start-to-close, so a graceful stop never cuts one short (a cut-short attempt would only be
 * retried after its timeout: the 30 s stall of issue 10). The worker exits as soon as they are
 * done, so the grace costs nothing when nothing is running.
 *
 * A worker that is SIGKILLed has no grace: Temporal's timeouts recover its work. Its workflow
 * tasks are retried on another worker after the sticky queue's schedule-to-start (3 s, above) or,
 * for a task it had started, the workflow task timeout (10 s). Each activity it
 * was running is retried after its start-to-close: a webhook attempt after DELIVERY_TIMEOUT + 5 s
 * (the one place a duplicate POST with the same webhook-id can happen, since its outcome is
 * unknown), a carrier send after 15 s (same eventId), an inbound message's rows after 10 s
 * (idempotent inserts), a record write after 30 s. Short
 * start-to-close timeouts, not heartbeats, bound the wait: every activity is a single request.
 */
export function shutdownGraceMsOf(settings: ChatSettings): number {
  const startToClose = [
    RECORD_ACTIVITY_OPTIONS,
    CARRIER_SEND_ACTIVITY_OPTIONS,
    LIFECYCLE_ACTIVITY_OPTIONS,
    ACCEPT_ACTIVITY_OPTIONS,
    attemptActivityOptions(settings),
  ].map((options) => msOf(options.startToCloseTimeout));
  return Math.max(...startToClose) + 5_000;
}

/** Starts a worker polling the chathook task queue; workflows are bundled from workflows/index.ts. */
export async function startWorker(services: WorkerDeps, temporalAddress: string): Promise<RunningWorker> {
  const { config } = services;
  installTemporalRuntimeLogger(services.logger, { metricsAddress: config.temporal.workerMetricsAddress });
  await ensureChatSearchAttributes(services.temporal.connection, config.temporal.namespace);
  const connection = await NativeConnection.connect({ address: temporalAddress });
  const shutdownGraceMs = shutdownGraceMsOf(chatSettingsOf(config));
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    workflowsPath: fileURLToPath(new URL('../../workflows/index.ts', import.meta.url)),
    activities: createActivities({
      ...services,
      announceReceiverRecovered: createReceiverRecoveryAnnouncer(services.temporal.client, services.logger),
    }),
    // Every open chat is a long-lived workflow: evicting one from the cache means replaying its
    // current run's history on its next message (milliseconds for a short run). A cached chat
    // costs a few hundred KiB, so the cache, not the number of open chats, bounds the worker's
    // memory (README, Performance: 10,000 open chats).
    maxCachedWorkflows: config.temporal.maxCachedWorkflows,
    shutdownGraceTime: shutdownGraceMs,
    // An activity that ignores cancellation after the grace must not keep the process alive.
    shutdownForceTime: shutdownGraceMs + 10_000,
    stickyQueueScheduleToStartTimeout: STICKY_QUEUE_SCHEDULE_TO_START_MS,
  });
  const done = worker.run().finally(() => connection.close());
  return {
    worker,
    done,
    shutdownGraceMs,
    async shutdown() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
