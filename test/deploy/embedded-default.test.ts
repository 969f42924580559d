import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { apiClient } from '../support/harness.js';
import { freePort } from '../support/free-port.js';
import { descendantsOf, isAlive } from '../support/process-tree.js';

const ROOT = new URL('../..', import.meta.url).pathname;

interface Started {
  child: ChildProcess;
  output: () => string;
}

function startEmbedded(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/bin/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready in 90 s:\n${output}`)), 90_000);
    const check = setInterval(() => {
      if (output.includes('Ctrl-C stops everything')) {
        clearInterval(check);
        clearTimeout(timer);
        resolve({ child, output: () => output });
      }
    }, 100);
    child.once('exit', (code) => {
      clearInterval(check);
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before ready:\n${output}`));
    });
  });
}

async function stop(started: Started): Promise<{ code: number | null; orphans: number[] }> {
  const descendants = descendantsOf(started.child.pid!);
  const exited = new Promise<number | null>((resolve) => started.child.once('exit', (code) => resolve(code)));
  started.child.kill('SIGINT');
  const code = await exited;
  // Children reparented at exit get a moment to finish exiting (esbuild's service ends on stdin EOF).
  let orphans = descendants.filter(isAlive);
  for (let waited = 0; orphans.length > 0 && waited < 5_000; waited += 250) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    orphans = orphans.filter(isAlive);
  }
  if (orphans.length)
    process.stdout.write(
      execFileSync('ps', ['-o', 'pid,ppid,stat,args', '-p', orphans.join(',')], { encoding: 'utf8' }),
    );
  return { code, orphans };
}

/**
 * Every directory and file under the data dir whose mode is not 0700 (directories) or 0600
 * (files), as `path mode`; and how many files it holds, so an empty walk proves nothing.
 */
function openModes(root: string): { open: string[]; files: string[] } {
  const open: string[] = [];
  const files: string[] = [];
  const walk = (path: string) => {
    const stat = lstatSync(path);
    const mode = stat.mode & 0o777;
    const name = relative(root, path) || '.';
    if (stat.isDirectory()) {
      if (mode !== 0o700) open.push(`${name}/ ${mode.toString(8)}`);
      for (const entry of readdirSync(path)) walk(join(path, entry));
    } else if (stat.isFile()) {
      files.push(name);
      if (mode !== 0o600) open.push(`${name} ${mode.toString(8)}`);
    }
  };
  walk(root);
  return { open, files };
}

const dataDir = mkdtempSync(join(tmpdir(), 'chathook-embedded-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('npm start (embedded default)', () => {
  it(
    'starts every server, creates a dev tenant, keeps data across a restart and stops with no orphan',
    { timeout: 240_000 },
    async () => {
      const env = {
        CHATHOOK_DATA_DIR: dataDir,
        PORT: String(await freePort()),
        EMBEDDED_TEMPORAL_PORT: String(await freePort()),
        EMBEDDED_TEMPORAL_UI_PORT: String(await freePort()),
        EMBEDDED_MONGO_PORT: String(await freePort()),
        WEBHOOK_ALLOW_PRIVATE: 'true',
      };
      const baseUrl = `http://127.0.0.1:${env.PORT}`;

      const first = await startEmbedded(env);
      const devTenant = JSON.parse(readFileSync(join(dataDir, 'dev-tenant.json'), 'utf8')) as {
        apiKey: string;
        sandbox: { code: string; sender: string; carrierSecret: string };
      };
      expect(first.output()).toContain(devTenant.apiKey);
      // The dev tenant's sandbox connection, printed once with its carrier secret.
      expect(first.output()).toContain(devTenant.sandbox.carrierSecret);
      expect(devTenant.sandbox.code).toMatch(/^SANDBOX-[0-9A-F]{6}$/);
      expect(first.output()).toContain(`Temporal UI:  http://localhost:${env.EMBEDDED_TEMPORAL_UI_PORT}`);
      expect(first.output()).toContain('FerretDB');
      const tenant = apiClient(baseUrl, devTenant.apiKey);
      expect((await tenant.get('/readyz')).status).toBe(200);
      const ui = await fetch(`http://127.0.0.1:${env.EMBEDDED_TEMPORAL_UI_PORT}/`);
      expect(ui.status).toBe(200);
      const created = await tenant.post('/v1/connections', {
        code: 'EMBED1',
        channel: 'SMS',
        senders: ['141518'],
        carrier: { type: 'sandbox' },
      });
      expect(created.status).toBe(201);
      expect((await tenant.get(`/v1/connections/${devTenant.sandbox.code}`)).body).toMatchObject({
        senders: [devTenant.sandbox.sender],
        carrier: { type: 'sandbox', secretSet: true },
      });
      const integration = await tenant.post('/v1/integrations', {
        alias: 'Kept',
        method: 'POST',
        url: 'https://client.example/hook',
        auth: { type: 'BEARER', token: 'kept-token' },
        connections: [{ code: 'EMBED1' }],
      });
      expect(integration.status).toBe(201);
      // Issue 18: the data dir is the user's alone, whatever the servers wrote (with traffic behind them).
      const running = openModes(dataDir);
      expect(running.files).toEqual(
        expect.arrayContaining([
          'secrets.json',
          'dev-tenant.json',
          'temporal.sqlite',
          'logs/temporal.log',
          'logs/mongo.log',
          expect.stringMatching(/^ferretdb\/.+\.sqlite$/),
        ]),
      );
      expect(running.open).toEqual([]);
      const firstStop = await stop(first);
      expect(firstStop.code).toBe(0);
      expect(firstStop.orphans).toEqual([]);

      // A data dir an older version left open is closed again at the next start.
      chmodSync(dataDir, 0o755);
      chmodSync(join(dataDir, 'logs'), 0o755);
      chmodSync(join(dataDir, 'logs', 'temporal.log'), 0o644);
      chmodSync(join(dataDir, 'temporal.sqlite'), 0o644);
      const second = await startEmbedded(env);
      expect(openModes(dataDir).open).toEqual([]);
      expect(second.output()).not.toContain(devTenant.apiKey);
      expect(second.output()).not.toContain(devTenant.sandbox.carrierSecret);
      expect(second.output()).toContain(devTenant.sandbox.code);
      expect(
        (await tenant.get('/v1/connections')).body.items.filter((item: { code: string }) =>
          item.code.startsWith('SANDBOX-'),
        ),
      ).toHaveLength(1);
      expect((await tenant.get('/v1/connections/EMBED1')).status).toBe(200);
      const kept = await tenant.get(`/v1/integrations/${integration.body.id}`);
      expect(kept.body).toMatchObject({ alias: 'Kept', auth: { type: 'BEARER', token: '********' } });
      const secondStop = await stop(second);
      expect(secondStop.code).toBe(0);
      expect(secondStop.orphans).toEqual([]);
    },
  );
});

describe('embedded servers on a busy port', () => {
  it('refuses to start rather than talk to whatever already listens there', async () => {
    const { createServer } = await import('node:net');
    const squatter = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', () => resolve()));
    const { startEmbeddedMongo } = await import('../../src/platform/embedded/mongo-server.js');
    const { createLogger } = await import('../../src/platform/logger.js');
    await expect(
      startEmbeddedMongo(
        { dataDir, port, mongodBinary: undefined, ferretdbPath: () => '/bin/false', logFile: join(dataDir, 'x.log') },
        createLogger('silent'),
      ),
    ).rejects.toThrow(`port 127.0.0.1:${port} is already in use: free it or set EMBEDDED_MONGO_PORT`);
    squatter.close();
  });
});
