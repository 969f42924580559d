/**
 * The largest workflow history of the run (one chat run), asked of Temporal directly:
 * visibility lists every run, describe() gives each run's live size, and the largest
 * history is fetched to find its largest single event (the payload that would hit 2 MiB).
 */
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';

// A CommonJS module: its namespaces come off the default export under ESM.
const { temporal } = proto;

export interface HistorySizeReport {
  runs: number;
  largest:
    | { workflowId: string; runId: string; type: string; status: string; historyBytes: number; historyEvents: number }
    | undefined;
  largestEventBytes: number;
  workflowTaskFailures: number;
}

export async function measureWorkflowHistories(address: string): Promise<HistorySizeReport> {
  const connection = await Connection.connect({ address, connectTimeout: 10_000 });
  try {
    const client = new Client({ connection, namespace: 'default' });
    const runs: Array<{ workflowId: string; runId: string }> = [];
    for await (const info of client.workflow.list()) runs.push({ workflowId: info.workflowId, runId: info.runId });
    let largest: HistorySizeReport['largest'];
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < runs.length) {
          const run = runs[next++]!;
          const description = await client.workflow
            .getHandle(run.workflowId, run.runId)
            .describe()
            .catch(() => undefined);
          if (!description) continue;
          const historyBytes = description.historySize ?? 0;
          if (!largest || historyBytes > largest.historyBytes) {
            largest = {
              ...run,
              type: description.type,
              status: description.status.name,
              historyBytes,
              historyEvents: description.historyLength,
            };
          }
        }
      }),
    );
    let largestEventBytes = 0;
    let workflowTaskFailures = 0;
    if (largest) {
      const history = await client.workflow.getHandle(largest.workflowId, largest.runId).fetchHistory();
      for (const event of history.events ?? []) {
        largestEventBytes = Math.max(
          largestEventBytes,
          temporal.api.history.v1.HistoryEvent.encode(event).finish().length,
        );
        if (event.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED)
          workflowTaskFailures += 1;
      }
    }
    return { runs: runs.length, largest, largestEventBytes, workflowTaskFailures };
  } finally {
    await connection.close();
  }
}
