import type { Connection } from '@temporalio/client';

/** Answers when the Temporal server serves the namespace (readiness); rejects otherwise. */
export async function describeNamespace(connection: Connection, namespace: string): Promise<void> {
  await connection.workflowService.describeNamespace({ namespace });
}
