import { NativeConnection, Worker } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import type { Connection } from '@temporalio/client';
import { createActivities, type ActivityDeps } from '../../activities/index.js';
import { installTemporalRuntimeLogger } from './runtime-logger.js';
import { ensureChatSearchAttributes } from './search-attributes.js';

export interface RunningWorker {
  worker: Worker;
  /** Resolves when the worker has stopped (after `shutdown()`), rejects if it crashed. */
  done: Promise<void>;
  shutdown(): Promise<void>;
}

/** What a worker needs: the activities' clients, and the API-side Temporal connection (search attributes). */
export interface WorkerDeps extends ActivityDeps {
  temporal: { connection: Connection };
}

/** Starts a worker polling the chathook task queue; workflows are bundled from workflows/index.ts. */
export async function startWorker(services: WorkerDeps, temporalAddress: string): Promise<RunningWorker> {
  const { config } = services;
  installTemporalRuntimeLogger(services.logger);
  await ensureChatSearchAttributes(services.temporal.connection, config.temporal.namespace);
  const connection = await NativeConnection.connect({ address: temporalAddress });
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    workflowsPath: fileURLToPath(new URL('../../workflows/index.ts', import.meta.url)),
    activities: createActivities(services),
    // Every open chat is a long-lived workflow: evicting one from the cache means replaying its
    // history on its next message. The SDK's default (from heap size) is ~900 here.
    maxCachedWorkflows: config.temporal.maxCachedWorkflows,
  });
  const done = worker.run().finally(() => connection.close());
  return {
    worker,
    done,
    async shutdown() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
