import { condition, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';

/** Temporal's own floor for the chat path: a workflow that takes a signal and runs one no-op activity. */
export const pingSignal = defineSignal<[string]>('ping');

const { noop } = proxyActivities<{ noop(id: string): Promise<void> }>({ startToCloseTimeout: '10s' });

export async function floorWorkflow(): Promise<void> {
  const pending: string[] = [];
  setHandler(pingSignal, (id) => {
    pending.push(id);
  });
  for (;;) {
    await condition(() => pending.length > 0);
    await noop(pending.shift()!);
  }
}
