/**
 * What the API's call to a chat costs on the embedded Temporal: update-with-start (what the
 * gateway sends for every MO) against a plain update, to a running workflow whose handler answers
 * at once. Usage: npx tsx bench/update-call-cost.ts [calls=200]
 */
import { Client, Connection, WithStartWorkflowOperation } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../src/platform/logger.js';
import { startTemporalDevServer } from '../src/platform/embedded/temporal-dev-server.js';
import { temporalCliPath } from '../src/platform/embedded/tool-paths.js';
import { freePort } from '../test/support/free-port.js';
import { percentile } from './load.js';
import { echoUpdate, updateEchoWorkflow } from './update-echo-workflow.js';

const CALLS = Number(process.argv[2] ?? 200);
const dir = mkdtempSync(join(tmpdir(), 'update-call-cost-'));
const port = await freePort();
const server = await startTemporalDevServer(
  {
    cliPath: temporalCliPath(),
    dbFile: join(dir, 'temporal.sqlite'),
    port,
    uiPort: await freePort(),
    namespace: 'default',
    logFile: join(dir, 'temporal.log'),
  },
  createLogger('warn'),
);
try {
  const address = `127.0.0.1:${port}`;
  const client = new Client({ connection: await Connection.connect({ address }) });
  const worker = await Worker.create({
    connection: await NativeConnection.connect({ address }),
    taskQueue: 'echo',
    workflowsPath: fileURLToPath(new URL('./update-echo-workflow.ts', import.meta.url)),
  });
  const running = worker.run();
  const workflowId = 'echo-1';
  const startOperation = () =>
    new WithStartWorkflowOperation(updateEchoWorkflow, {
      workflowId,
      taskQueue: 'echo',
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
  await client.workflow.executeUpdateWithStart(echoUpdate, {
    args: ['warm'],
    startWorkflowOperation: startOperation(),
  });
  const time = async (label: string, call: (index: number) => Promise<unknown>) => {
    const samples: number[] = [];
    for (let index = 0; index < CALLS; index += 1) {
      const started = performance.now();
      await call(index);
      samples.push(performance.now() - started);
    }
    samples.sort((a, b) => a - b);
    console.log(
      `${label}: p50 ${percentile(samples, 50).toFixed(2)} ms, p99 ${percentile(samples, 99).toFixed(2)} ms (n=${CALLS})`,
    );
  };
  const handle = client.workflow.getHandle(workflowId);
  for (let round = 0; round < 2; round += 1) {
    await time('update-with-start to a running workflow', (index) =>
      client.workflow.executeUpdateWithStart(echoUpdate, {
        args: [`uws-${round}-${index}`],
        startWorkflowOperation: startOperation(),
      }),
    );
    await time('plain update to the same workflow', (index) =>
      handle.executeUpdate(echoUpdate, { args: [`u-${round}-${index}`] }),
    );
  }
  worker.shutdown();
  await running;
  await client.connection.close();
} finally {
  await server.stop();
}
