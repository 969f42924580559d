/**
 * The integration lifecycle scenarios: activation (one connection claimed, one in use; a deleted
 * integration) and stop (done; refused while linked campaigns are live). Their files are
 * committed; running these again is only for checking the recorder (into another directory) or
 * for re-recording on purpose.
 *
 *   node --import tsx scripts/record-workflow-histories.ts --only integration-
 */
import { WorkflowType } from '../../workflows/contract/ids.js';
import { TASK_QUEUE, type Scenario } from './recording.js';

const TENANT_ID = '65f000000000000000000001';

export const INTEGRATION_SCENARIOS: Scenario[] = [
  {
    name: 'integration-activation',
    server: 'dev',
    async run({ client, save }) {
      const activation = await client.workflow.start(WorkflowType.ACTIVATION, {
        workflowId: 'integration-activation-recorded',
        taskQueue: TASK_QUEUE,
        args: [{ tenantId: TENANT_ID, integrationId: '65f0000000000000000000a2' }],
      });
      await activation.result();
      await save('integration-activation-partial', activation);
      const gone = await client.workflow.start(WorkflowType.ACTIVATION, {
        workflowId: 'integration-activation-gone',
        taskQueue: TASK_QUEUE,
        args: [{ tenantId: TENANT_ID, integrationId: 'gone' }],
      });
      await gone.result().catch(() => undefined);
      await save('integration-activation-gone', gone);
    },
  },
  {
    name: 'integration-deactivation',
    server: 'dev',
    async run({ client, save }) {
      for (const [name, integrationId] of [
        ['integration-deactivation', '65f0000000000000000000a3'],
        ['integration-deactivation-live', 'live'],
      ] as const) {
        const stop = await client.workflow.start(WorkflowType.DEACTIVATION, {
          workflowId: name,
          taskQueue: TASK_QUEUE,
          args: [{ tenantId: TENANT_ID, integrationId }],
        });
        await stop.result().catch(() => undefined);
        await save(name, stop);
      }
    },
  },
];
