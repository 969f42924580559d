/**
 * Where one MO's time goes at low load, on the embedded default: the carrier's 202, the webhook's
 * arrival, and the chat's history events in between (each event's time after the MO was sent).
 * Usage: npx tsx bench/mo-breakdown.ts [messages=20] [rate=4]
 */
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { performance } from 'node:perf_hooks';
import { startEmbeddedStack } from './embedded-stack.js';
import { percentile, sendMo, startReceiver, wallNow } from './load.js';
import { freePort } from '../test/support/free-port.js';

const MESSAGES = Number(process.argv[2] ?? 20);
const RATE = Number(process.argv[3] ?? 4);
const EventType = proto.temporal.api.enums.v1.EventType;

const receiver = await startReceiver();
const workerMetricsPort = await freePort();
const stack = await startEmbeddedStack({ env: { WORKER_METRICS_ADDRESS: `127.0.0.1:${workerMetricsPort}` } });
try {
  const route = await stack.provisionChatRoute({
    code: 'BREAKDOWN',
    sender: '141599',
    webhookUrl: `${receiver.url}/hook`,
  });
  const contact = '5511900000001';
  // The chat is open and cached before the measured messages.
  for (let i = 0; i < 5; i += 1)
    await sendMo(stack, route, { messageId: `warm-${i}`, from: contact, text: `warm-${i}` });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const sentAt = new Map<string, number>();
  const acceptedMs: number[] = [];
  for (let i = 0; i < MESSAGES; i += 1) {
    const id = `m-${i}`;
    const start = wallNow();
    sentAt.set(id, start);
    const status = await sendMo(stack, route, { messageId: id, from: contact, text: id });
    if (status !== 202) throw new Error(`${id}: ${status}`);
    acceptedMs.push(wallNow() - start);
    await new Promise((resolve) => setTimeout(resolve, 1000 / RATE));
  }
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const arrivedMs = [...sentAt].map(([id, at]) => receiver.arrivals.get(id)![0]! - at);
  const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
  const line = (label: string, values: number[]) =>
    `${label}: p50 ${percentile(sorted(values), 50).toFixed(1)} ms, p99 ${percentile(sorted(values), 99).toFixed(1)} ms`;
  console.log(line('202 answered', acceptedMs));
  console.log(line('webhook arrived', arrivedMs));

  // Each measured message's events (messages are 1/RATE apart, so their events do not overlap),
  // by time after it was sent (wall clocks of one machine); the median of each step across them.
  const client = new Client({
    connection: await Connection.connect({ address: stack.temporalAddress }),
    namespace: stack.namespace,
  });
  const workflowId = `chat-${route.integrationId}-${contact}`;
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const events = (history.events ?? []).map((event) => ({
    ms: Number(event.eventTime!.seconds) * 1000 + (event.eventTime!.nanos ?? 0) / 1e6,
    name:
      (EventType[event.eventType!] ?? String(event.eventType)).replace('EVENT_TYPE_', '') +
      (event.activityTaskScheduledEventAttributes
        ? ` ${event.activityTaskScheduledEventAttributes.activityType?.name}`
        : ''),
  }));
  const sends = [...sentAt.values()];
  const steps = new Map<string, number[]>();
  sends.forEach((t0, index) => {
    const until = sends[index + 1] ?? Number.POSITIVE_INFINITY;
    const seen = new Map<string, number>();
    for (const event of events.filter((candidate) => candidate.ms >= t0 && candidate.ms < until)) {
      const occurrence = (seen.get(event.name) ?? 0) + 1;
      seen.set(event.name, occurrence);
      const key = `${event.name} #${occurrence}`;
      steps.set(key, [...(steps.get(key) ?? []), event.ms - t0]);
    }
  });
  const median = (values: number[]) => percentile(sorted(values), 50);
  for (const [key, values] of [...steps].sort((a, b) => median(a[1]) - median(b[1])))
    console.log(`${median(values).toFixed(1).padStart(8)} ms  ${key} (n=${values.length})`);
  const lastId = `m-${MESSAGES - 1}`;
  console.log(
    `${events.length} events in the history (last message ${lastId}); ${performance.now().toFixed(0)} ms bench time`,
  );
  await client.connection.close();
  // Database commands of the whole run (API and worker share main.ts's registry), mean per command.
  const metrics = await (await fetch(`${stack.baseUrl}/metrics`)).text();
  const sums = new Map<string, { sum: number; count: number }>();
  for (const match of metrics.matchAll(
    /^chathook_db_command_seconds_(sum|count)\{command="([^"]+)",collection="([^"]+)",outcome="ok"\} (\S+)$/gm,
  )) {
    const key = `${match[2]} ${match[3]}`;
    const entry = sums.get(key) ?? { sum: 0, count: 0 };
    entry[match[1] as 'sum' | 'count'] = Number(match[4]);
    sums.set(key, entry);
  }
  // The SDK's own view (WORKER_METRICS_ADDRESS): execution latencies of activities and workflow tasks, mean.
  const sdk = await (await fetch(`http://127.0.0.1:${workerMetricsPort}/metrics`)).text();
  for (const match of sdk.matchAll(/^(temporal_[a-z_]*latency[a-z_]*)_(sum|count)\{([^}]*)\} (\S+)$/gm)) {
    const [, name = '', kind, labelText = '', sum = '0'] = match;
    if (kind !== 'sum') continue;
    const count = new RegExp(
      `^${name}_count\\{${labelText.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\} (\\S+)$`,
      'm',
    ).exec(sdk)?.[1];
    const labels = labelText.replace(/namespace="[^"]*",?|task_queue="[^"]*",?|service_name="[^"]*",?/g, '');
    if (count && Number(count) > 0)
      console.log(`sdk ${name} {${labels}} n=${count} mean ${(Number(sum) / Number(count)).toFixed(2)} ms`);
  }
  for (const [key, { sum, count }] of [...sums].sort((a, b) => b[1].sum - a[1].sum))
    console.log(`db ${key.padEnd(40)} n=${String(count).padStart(5)} mean ${((sum / count) * 1000).toFixed(2)} ms`);
} finally {
  await stack.stop();
  await receiver.close();
}
