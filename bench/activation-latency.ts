/**
 * Latency of POST /v1/integrations/:id/start for integrations with 10 connections (2 senders
 * each), through the real API, Temporal dev server, worker and MongoDB-wire server.
 * Usage: npx tsx bench/activation-latency.ts [iterations=40] [concurrency=1]
 */
import { performance } from 'node:perf_hooks';
import { startBenchEnvironment, summarize } from './bench-environment.js';

const iterations = Number(process.argv[2] ?? 40);
const concurrency = Number(process.argv[3] ?? 1);
const CONNECTIONS = 10;

const bench = await startBenchEnvironment();
try {
  process.stdout.write(
    `engine: ${bench.engine}; ${iterations} integrations x ${CONNECTIONS} connections; concurrency ${concurrency}\n`,
  );
  const integrationIds: string[] = [];
  let sender = 100_000_000;
  for (let index = 0; index < iterations + 3; index += 1) {
    const codes: string[] = [];
    for (let connection = 0; connection < CONNECTIONS; connection += 1) {
      const code = `B${index}-${connection}`;
      const created = await bench.client.post('/v1/connections', {
        code,
        channel: 'SMS',
        senders: [String(sender++), String(sender++)],
        carrier: { type: 'sandbox' },
      });
      if (created.status !== 201) throw new Error(JSON.stringify(created.body));
      codes.push(code);
    }
    const integration = await bench.client.post('/v1/integrations', {
      alias: `Bench ${index}`,
      method: 'POST',
      url: 'http://127.0.0.1:9/hook',
      connections: codes.map((code) => ({ code })),
    });
    integrationIds.push(integration.body.id);
  }
  // Warm-up: the first runs pay for connection set-up and workflow cache misses.
  for (const id of integrationIds.splice(0, 3)) await bench.client.post(`/v1/integrations/${id}/start`);

  const samples: number[] = [];
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < integrationIds.length) {
        const id = integrationIds[next++]!;
        const before = performance.now();
        const response = await bench.client.post(`/v1/integrations/${id}/start`);
        samples.push(performance.now() - before);
        if (response.status !== 200 || response.body.partial !== false)
          throw new Error(`start ${id}: ${response.status} ${JSON.stringify(response.body)}`);
      }
    }),
  );
  process.stdout.write(`${summarize('POST /start (10 connections)', samples, performance.now() - started)}\n`);
} finally {
  await bench.close();
}
