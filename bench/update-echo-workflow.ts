import { condition, defineUpdate, setHandler } from '@temporalio/workflow';

/** An update that answers at once: the cost of the call itself (bench/update-call-cost.ts). */
export const echoUpdate = defineUpdate<string, [string]>('echo');

export async function updateEchoWorkflow(): Promise<void> {
  setHandler(echoUpdate, (text) => text);
  await condition(() => false);
}
