import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { TestProject } from 'vitest/node';
import { startEmbeddedMongo } from '../../src/platform/embedded/mongo-server.js';
import { searchAttributeArgs } from '../../src/temporal/search-attributes.js';
import { ferretdbPath, temporalCliPath } from '../../src/platform/embedded/tool-paths.js';
import { createLogger } from '../../src/platform/logger.js';
import { freePort } from './free-port.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    mongoUri: string;
    mongoEngine: string;
  }
}

/** One real Temporal dev server and one real MongoDB-wire server for the whole run. */
export default async function setup(project: TestProject) {
  const logger = createLogger('warn');
  const dir = mkdtempSync(join(tmpdir(), 'chathook-test-'));
  const temporal = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCliPath({ temporalCliPath: process.env.TEMPORAL_CLI_PATH }) },
      ip: '127.0.0.1',
      extraArgs: ['--log-level', 'error', ...searchAttributeArgs()],
    },
  });
  const mongo = await startEmbeddedMongo(
    {
      dataDir: dir,
      port: await freePort(),
      mongodBinary: process.env.MONGOMS_SYSTEM_BINARY,
      ferretdbPath: () => ferretdbPath({ ferretdbPath: process.env.FERRETDB_PATH }),
      logFile: join(dir, 'mongo.log'),
    },
    logger,
  );
  process.stdout.write(`test servers: Temporal ${temporal.address}, ${mongo.engine} at ${mongo.uri}\n`);
  project.provide('temporalAddress', temporal.address);
  project.provide('mongoUri', mongo.uri);
  project.provide('mongoEngine', mongo.engine);
  return async () => {
    await temporal.teardown();
    await mongo.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
