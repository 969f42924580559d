/**
 * Production scale on one machine (issue 12, "Production scale"): `npm run start:cluster` runs
 * two API processes on one port and two worker processes against one Temporal and one database.
 * Both workers run chats (their identities, `<pid>@<host>`, are in the chats' histories), both
 * API processes take MOs, and when one worker is SIGKILLed with deliveries pending the other
 * finishes its chats: every accepted message reaches the client webhook, a repeat only ever with
 * the same webhook-id.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, describe, expect, it } from 'vitest';
import { apiClient, type ApiClient } from '../support/harness.js';
import { freePort } from '../support/free-port.js';
import { startHttpPeer } from '../support/http-peer.js';
import { chatWorkflowId } from '../../workflows/contract/ids.js';
import { descendantsOf, isAlive } from '../support/process-tree.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const CONTACTS = 20;

interface ClusterFile {
  primary: number;
  processes: Array<{ role: 'api' | 'worker'; name: string; pid: number }>;
}

const dataDir = mkdtempSync(join(tmpdir(), 'chathook-cluster-'));
let cluster: ChildProcess | undefined;
afterAll(() => {
  // A failure leaves the whole group running: it is its own process group (detached).
  if (cluster?.exitCode === null) process.kill(-cluster.pid!, 'SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

function startCluster(env: Record<string, string>): Promise<{ output: () => string }> {
  // Its own process group, so the test can stop it the way a terminal's Ctrl-C does: SIGINT to every process of the
  // group.
  cluster = spawn(process.execPath, ['--import', 'tsx', 'src/bin/cluster-main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  cluster.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  cluster.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready in 120 s:\n${output}`)), 120_000);
    const check = setInterval(() => {
      if (output.includes('Ctrl-C stops everything')) {
        clearInterval(check);
        clearTimeout(timer);
        resolve({ output: () => output });
      }
    }, 100);
    cluster!.once('exit', (code) => {
      clearInterval(check);
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before ready:\n${output}`));
    });
  });
}

/** GET on a connection of its own (no keep-alive), so the primary hands each one to the next API process. */
const getOnNewConnection = (url: string) =>
  new Promise<string>((resolve, reject) => {
    request(url, { agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve(body));
    })
      .once('error', reject)
      .end();
  });

/** MOs this API process answered 202, from its own /metrics. */
const acceptedMosIn = (metrics: string) =>
  metrics
    .split('\n')
    .filter(
      (line) =>
        line.startsWith('chathook_http_requests_total{') &&
        line.includes('route="/carriers/:connectionCode/inbound"') &&
        line.includes('status="202"'),
    )
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);

/**
 * A carrier retries a 503 with the same messageId; a chat whose worker just died answers within the sticky queue's
 * timeout.
 */
async function postMo(
  carrier: ApiClient,
  code: string,
  body: { messageId: string; from: string; to: string; text: string },
) {
  for (let attempt = 1; ; attempt += 1) {
    const response = await carrier.post(`/carriers/${code}/inbound`, body);
    if (response.status === 202) return response.body as { chatId: string };
    if (response.status !== 503 || attempt === 10)
      throw new Error(`MO ${body.messageId}: ${response.status} ${JSON.stringify(response.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const pidOf = (identity: string | null | undefined) => (identity ? Number(identity.split('@')[0]) : undefined);

describe('npm run start:cluster', () => {
  it(
    'runs chats on both workers, takes MOs on both API processes, and the surviving worker finishes the chats of a killed one',
    { timeout: 240_000 },
    async () => {
      const startedAt = Date.now();
      const port = await freePort();
      const temporalPort = await freePort();
      const env = {
        CHATHOOK_DATA_DIR: dataDir,
        PORT: String(port),
        EMBEDDED_TEMPORAL_PORT: String(temporalPort),
        EMBEDDED_TEMPORAL_UI_PORT: String(await freePort()),
        EMBEDDED_MONGO_PORT: String(await freePort()),
        WEBHOOK_ALLOW_PRIVATE: 'true',
        DELIVERY_RETRY_INITIAL: '200ms',
        DELIVERY_RETRY_MAX_INTERVAL: '1s',
        DELIVERY_TIMEOUT: '2s',
        CLUSTER_API_PROCESSES: '2',
        CLUSTER_WORKER_PROCESSES: '2',
        // No restart within the test: the surviving worker alone has to finish the killed one's chats.
        CLUSTER_RESTART_DELAY: '10m',
      };
      const started = await startCluster(env);
      const readyMs = Date.now() - startedAt;
      const state = JSON.parse(readFileSync(join(dataDir, 'cluster.json'), 'utf8')) as ClusterFile;
      const workers = state.processes.filter((entry) => entry.role === 'worker');
      const apis = state.processes.filter((entry) => entry.role === 'api');
      expect(workers).toHaveLength(2);
      expect(apis).toHaveLength(2);
      for (const entry of state.processes) expect(started.output()).toContain(`${entry.name} pid ${entry.pid}`);

      const baseUrl = `http://127.0.0.1:${port}`;
      const { adminKey } = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as { adminKey: string };
      const devTenant = JSON.parse(readFileSync(join(dataDir, 'dev-tenant.json'), 'utf8')) as {
        id: string;
        apiKey: string;
      };
      const tenant = apiClient(baseUrl, devTenant.apiKey);
      const sender = '4155550100';
      const provisioned = await apiClient(baseUrl, adminKey).post(`/v1/tenants/${devTenant.id}/connections`, {
        code: 'SCALE',
        channel: 'SMS',
        senders: [sender],
        carrier: { type: 'sandbox' },
      });
      expect(provisioned.status).toBe(201);
      const carrier = apiClient(baseUrl, provisioned.body.carrierSecret as string);

      const receiver = await startHttpPeer();
      let failing = false;
      /** text → webhook-ids answered 200. */
      const delivered = new Map<string, Set<string>>();
      let answered200 = 0;
      receiver.respondWith((received) => {
        if (failing) return { status: 503 };
        answered200 += 1;
        const text = JSON.parse(received.body).text as string;
        delivered.set(text, (delivered.get(text) ?? new Set()).add(String(received.headers['webhook-id'])));
        return undefined;
      });
      const integration = await tenant.post('/v1/integrations', {
        alias: 'Scale',
        method: 'POST',
        url: `${receiver.url}/hook`,
        connections: [{ code: 'SCALE' }],
      });
      expect(integration.status).toBe(201);
      const integrationId = integration.body.id as string;
      expect((await tenant.post(`/v1/integrations/${integrationId}/start`)).status).toBe(200);

      const contacts = Array.from({ length: CONTACTS }, (_, index) => `54911000${String(index).padStart(4, '0')}`);
      const accepted: string[] = [];
      const sendRound = async (round: string) => {
        await Promise.all(
          contacts.map(async (contact) => {
            const text = `${round}-${contact}`;
            await postMo(carrier, 'SCALE', { messageId: text, from: contact, to: sender, text });
            accepted.push(text);
          }),
        );
      };
      const allDelivered = () => accepted.every((text) => delivered.has(text));

      const connection = await Connection.connect({ address: `127.0.0.1:${temporalPort}` });
      const temporal = new Client({ connection });
      /** Per chat: the worker pids in its history, by event time. */
      const historyOf = async (contact: string) => {
        const history = await temporal.workflow.getHandle(chatWorkflowId(integrationId, contact)).fetchHistory();
        return (history.events ?? []).flatMap((event) => {
          const at = Number(event.eventTime?.seconds ?? 0) * 1_000 + Math.floor((event.eventTime?.nanos ?? 0) / 1e6);
          const completed = pidOf(event.workflowTaskCompletedEventAttributes?.identity);
          const activity = pidOf(event.activityTaskStartedEventAttributes?.identity);
          return [
            ...(completed ? [{ pid: completed, kind: 'WorkflowTaskCompleted', at }] : []),
            ...(activity ? [{ pid: activity, kind: 'ActivityTaskStarted', at }] : []),
          ];
        });
      };

      try {
        // Round 1: 20 new chats, through the one API port.
        await sendRound('m1');
        await expect.poll(allDelivered, { timeout: 60_000, interval: 200 }).toBe(true);
        const round1 = await Promise.all(contacts.map(historyOf));
        const chatsRunBy = (pid: number) => round1.filter((events) => events.some((event) => event.pid === pid)).length;
        for (const worker of workers) expect(chatsRunBy(worker.pid), `${worker.name} ran chats`).toBeGreaterThan(0);
        process.stdout.write(
          `round 1: ${accepted.length} MOs delivered; chats with tasks of ${workers.map((worker) => `${worker.name} (pid ${worker.pid}): ${chatsRunBy(worker.pid)}`).join(', ')}\n`,
        );

        // Both API processes answered: each one's own /metrics counts the MOs it accepted.
        const samples = await Promise.all(
          Array.from({ length: 6 }, () => getOnNewConnection(`${baseUrl}/metrics`).then(acceptedMosIn)),
        );
        process.stdout.write(
          `accepted MOs per API process (/metrics on 6 new connections): ${samples.join(', ')} of ${CONTACTS}\n`,
        );
        // No process accepted all 20, and some accepted a share: another process took the rest.
        expect(Math.max(...samples)).toBeLessThan(CONTACTS);
        expect(Math.min(...samples)).toBeGreaterThan(0);

        // Round 2 with the receiver down: each chat holds a delivery in retry.
        failing = true;
        await sendRound('m2');
        await expect
          .poll(
            () =>
              new Set(
                receiver.received
                  .map((received) => JSON.parse(received.body).text as string)
                  .filter((text) => text.startsWith('m2-')),
              ).size,
            { timeout: 30_000, interval: 200 },
          )
          .toBe(CONTACTS);
        // The victim: the worker that ran the latest workflow task of the most chats (its sticky cache holds them).
        const latestOwner = await Promise.all(
          contacts.map(
            async (contact) =>
              (await historyOf(contact)).filter((event) => event.kind === 'WorkflowTaskCompleted').at(-1)!.pid,
          ),
        );
        const victim = [...workers].sort(
          (a, b) =>
            latestOwner.filter((pid) => pid === b.pid).length - latestOwner.filter((pid) => pid === a.pid).length,
        )[0]!;
        const survivor = workers.find((worker) => worker !== victim)!;
        const victimChats = contacts.filter((_, index) => latestOwner[index] === victim.pid);
        const killedAt = Date.now();
        process.kill(victim.pid, 'SIGKILL');
        await expect.poll(() => isAlive(victim.pid), { timeout: 10_000, interval: 100 }).toBe(false);
        process.stdout.write(
          `SIGKILL ${victim.name} (pid ${victim.pid}) owning ${victimChats.length} of ${CONTACTS} chats, each with a delivery in retry\n`,
        );

        // Round 3 to the same contacts, while the receiver still fails; then it comes back.
        await sendRound('m3');
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        failing = false;
        await expect.poll(allDelivered, { timeout: 90_000, interval: 200 }).toBe(true);
        // A moment more, so that a late duplicate would be seen.
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        const deliveredAfterKillMs = Date.now() - killedAt;

        expect(accepted).toHaveLength(3 * CONTACTS);
        // Every accepted message delivered; a repeat only with the same webhook-id, and one webhook-id per message.
        for (const text of accepted) expect(delivered.get(text)?.size, text).toBe(1);
        const textsById = new Map<string, Set<string>>();
        for (const received of receiver.received) {
          const id = String(received.headers['webhook-id']);
          textsById.set(id, (textsById.get(id) ?? new Set()).add(JSON.parse(received.body).text as string));
        }
        for (const [id, texts] of textsById) expect(texts.size, id).toBe(1);
        // Per chat, in order.
        for (const contact of contacts) {
          const order = receiver.received
            .map((received) => JSON.parse(received.body).text as string)
            .filter((text) => text.endsWith(contact));
          expect(
            order.filter((text, index) => order.indexOf(text) === index),
            contact,
          ).toEqual([`m1-${contact}`, `m2-${contact}`, `m3-${contact}`]);
        }

        // The survivor completed tasks of every chat the killed worker had run, after the kill.
        const afterKill = await Promise.all(
          victimChats.map(async (contact) =>
            (await historyOf(contact)).filter((event) => event.at >= killedAt - 1_000),
          ),
        );
        for (const [index, events] of afterKill.entries()) {
          expect(
            events.some((event) => event.kind === 'WorkflowTaskCompleted' && event.pid === survivor.pid),
            victimChats[index],
          ).toBe(true);
          expect(
            events.some((event) => event.pid === victim.pid && event.at > killedAt + 1_000),
            victimChats[index],
          ).toBe(false);
        }
        expect(started.output()).toMatch(
          new RegExp(
            `"process":"${victim.name}","pid":${victim.pid},"code":null,"signal":"SIGKILL".*starting it again after the restart delay`,
          ),
        );
        process.stdout.write(
          `after the kill: ${accepted.length} of ${accepted.length} accepted MOs delivered (${answered200} POSTs answered 200, ${receiver.received.length} POSTs in all, ${textsById.size} webhook-ids) ` +
            `in ${deliveredAfterKillMs} ms; ${survivor.name} (pid ${survivor.pid}) completed workflow tasks of all ${victimChats.length} chats of ${victim.name}\n`,
        );
        await receiver.close();
      } finally {
        await connection.close();
      }

      // Ctrl-C as a terminal sends it: SIGINT to the whole process group. Everything stops, no orphan.
      const descendants = descendantsOf(cluster!.pid!);
      const exited = new Promise<number | null>((resolve) => cluster!.once('exit', (code) => resolve(code)));
      process.kill(-cluster!.pid!, 'SIGINT');
      expect(await exited).toBe(0);
      // Each child was stopped once, by the primary, in order: none took a second signal as "exit now".
      expect(started.output()).not.toContain('second signal');
      let orphans = descendants.filter(isAlive);
      for (let waited = 0; orphans.length > 0 && waited < 5_000; waited += 250) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        orphans = orphans.filter(isAlive);
      }
      if (orphans.length)
        process.stdout.write(
          execFileSync('ps', ['-o', 'pid,ppid,stat,args', '-p', orphans.join(',')], { encoding: 'utf8' }),
        );
      expect(orphans).toEqual([]);
      process.stdout.write(
        `cluster ready in ${readyMs} ms; whole test ${Date.now() - startedAt} ms; stopped by SIGINT to the group: exit 0, ${descendants.length} descendants, no orphan\n`,
      );
    },
  );
});
