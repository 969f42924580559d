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

const MESSAGES = Number(process.argv[2] ?? 20);
const RATE = Number(process.argv[3] ?? 4);
const EventType = proto.temporal.api.enums.v1.EventType;

const receiver = await startReceiver();
const stack = await startEmbeddedStack();
try {
  const route = await stack.provisionChatRoute({ code: 'BREAKDOWN', sender: '141599', webhookUrl: `${receiver.url}/hook` });
  const contact = '5511900000001';
  // The chat is open and cached before the measured messages.
  for (let i = 0; i < 5; i += 1) await sendMo(stack, route, { messageId: `warm-${i}`, from: contact, text: `warm-${i}` });
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
  const line = (label: string, values: number[]) => `${label}: p50 ${percentile(sorted(values), 50).toFixed(1)} ms, p99 ${percentile(sorted(values), 99).toFixed(1)} ms`;
  console.log(line('202 answered', acceptedMs));
  console.log(line('webhook arrived', arrivedMs));

  // The last message's events, by time after it was sent (wall clocks of one machine).
  const client = new Client({ connection: await Connection.connect({ address: stack.temporalAddress }), namespace: stack.namespace });
  const workflowId = `chat-${route.integrationId}-${contact}`;
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const lastId = `m-${MESSAGES - 1}`;
  const t0 = sentAt.get(lastId)!;
  const events = history.events ?? [];
  const tail = events.filter((event) => {
    const ms = Number(event.eventTime!.seconds) * 1000 + Math.floor((event.eventTime!.nanos ?? 0) / 1e6);
    return ms >= t0 - 5;
  });
  for (const event of tail) {
    const ms = Number(event.eventTime!.seconds) * 1000 + (event.eventTime!.nanos ?? 0) / 1e6;
    const name = EventType[event.eventType!]?.replace('EVENT_TYPE_', '') ?? String(event.eventType);
    const activity = event.activityTaskScheduledEventAttributes?.activityType?.name ?? '';
    console.log(`${(ms - t0).toFixed(1).padStart(8)} ms  ${name} ${activity}`);
  }
  console.log(`webhook arrived at ${(receiver.arrivals.get(lastId)![0]! - t0).toFixed(1)} ms; ${events.length} events in the history; ${performance.now().toFixed(0)} ms bench time`);
  await client.connection.close();
  // Database commands of the whole run (API and worker share main.ts's registry), mean per command.
  const metrics = await (await fetch(`${stack.baseUrl}/metrics`)).text();
  const sums = new Map<string, { sum: number; count: number }>();
  for (const match of metrics.matchAll(/^chathook_db_command_seconds_(sum|count)\{command="([^"]+)",collection="([^"]+)",outcome="ok"\} (\S+)$/gm)) {
    const key = `${match[2]} ${match[3]}`;
    const entry = sums.get(key) ?? { sum: 0, count: 0 };
    entry[match[1] as 'sum' | 'count'] = Number(match[4]);
    sums.set(key, entry);
  }
  for (const [key, { sum, count }] of [...sums].sort((a, b) => b[1].sum - a[1].sum)) console.log(`db ${key.padEnd(40)} n=${String(count).padStart(5)} mean ${((sum / count) * 1000).toFixed(2)} ms`);
} finally {
  await stack.stop();
  await receiver.close();
}
