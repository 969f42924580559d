/**
 * One chat, many messages: 10,000 MOs from one contact through continue-as-new
 * (CHAT_MESSAGES_PER_RUN per run), with order and de-duplication checked at the receiver.
 *   - Order: a message whose 202 came before another was sent must arrive before it (with one
 *     message in flight, the default, that is the send order; with more, concurrent posts of
 *     one contact have no order of their own and only the acceptance order is checked).
 *   - De-duplication: about 1 % of the message ids are posted again as carrier retries, right
 *     after their 202 or 50 messages later; each must be answered `duplicate: true`, and every
 *     message must arrive exactly once.
 * Reports throughput (messages delivered a second, and accepted a second) and the number of runs.
 * Usage: npx tsx bench/long-chat.ts [messages=10000] [inFlight=1] [messagesPerRun=chathook's default]
 */
import { pathToFileURL } from 'node:url';
import { request } from 'undici';
import { chatWorkflowId } from '../workflows/contract/ids.js';
import { startEmbeddedStack, type BenchStack, type ChatRoute } from './embedded-stack.js';
import { forEachConcurrently, awaitArrivals, loadAgent, startReceiver, wallNow } from './load.js';
import { connectTemporal, printRows, type BenchRow } from './temporal-actions.js';

export interface LongChatOptions {
  /** MOs from the one contact (default 10,000). */
  messages?: number;
  /** Messages posted at once (default 1). */
  inFlight?: number;
  /** One message in this many is posted again as a carrier retry (default 100). */
  retryEvery?: number;
}

/** chathook's CHAT_MESSAGES_PER_RUN when the stack's environment does not set it (src/platform/config.ts). */
const DEFAULT_MESSAGES_PER_RUN = 1_000;
const CONTACT = '5491190000001';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Sent {
  id: string;
  sentAt: number;
  acceptedAt: number;
}

/** The carrier's callback, answered with its status and body; 429/503 retried as a carrier would. */
async function postMo(
  stack: BenchStack,
  route: ChatRoute,
  id: string,
  counters: { backpressure: number },
): Promise<{ status: number; body: any }> {
  for (let attempt = 0; ; attempt++) {
    const response = await request(`${stack.baseUrl}/carriers/${encodeURIComponent(route.code)}/inbound`, {
      method: 'POST',
      dispatcher: loadAgent,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${route.carrierSecret}` },
      body: JSON.stringify({ messageId: id, from: CONTACT, to: route.sender, text: id }),
    });
    const text = await response.body.text();
    if ((response.statusCode === 429 || response.statusCode === 503) && attempt < 50) {
      counters.backpressure++;
      await sleep(Math.min(2_000, 100 * 2 ** attempt));
      continue;
    }
    return { status: response.statusCode, body: text ? (JSON.parse(text) as unknown) : undefined };
  }
}

/**
 * Messages that arrived before one accepted ahead of them: for each message B, every message
 * whose 202 came before B was sent must have arrived first.
 */
export function orderViolations(sent: readonly Sent[], firstArrival: (id: string) => number | undefined): number {
  const byAcceptance = [...sent].sort((a, b) => a.acceptedAt - b.acceptedAt);
  const latestArrivalSoFar: number[] = [];
  let latest = -Infinity;
  for (const message of byAcceptance) {
    latest = Math.max(latest, firstArrival(message.id) ?? Infinity);
    latestArrivalSoFar.push(latest);
  }
  let violations = 0;
  for (const message of sent) {
    // How many were accepted before this one was sent (binary search on acceptance time).
    let low = 0;
    let high = byAcceptance.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (byAcceptance[middle]!.acceptedAt < message.sentAt) low = middle + 1;
      else high = middle;
    }
    const arrived = firstArrival(message.id);
    if (low > 0 && arrived !== undefined && latestArrivalSoFar[low - 1]! > arrived) violations++;
  }
  return violations;
}

export async function benchLongChat(stack: BenchStack, options: LongChatOptions = {}): Promise<BenchRow[]> {
  const messages = options.messages ?? 10_000;
  const inFlight = options.inFlight ?? 1;
  const retryEvery = options.retryEvery ?? 100;
  const messagesPerRun = Number(stack.env.CHAT_MESSAGES_PER_RUN ?? DEFAULT_MESSAGES_PER_RUN);
  const receiver = await startReceiver();
  const temporalClient = await connectTemporal(stack);
  try {
    const route = await stack.provisionChatRoute({ code: 'LONG', sender: '43001', webhookUrl: `${receiver.url}/hook` });
    const ids = Array.from({ length: messages }, (_, index) => `long-${index}`);
    const sent: Sent[] = [];
    const counters = { backpressure: 0 };
    const retries = { posted: 0, answeredDuplicate: 0, other: [] as string[] };
    const failures: string[] = [];
    const started = wallNow();
    await forEachConcurrently(messages, inFlight, async (index) => {
      const id = ids[index]!;
      const sentAt = wallNow();
      const answer = await postMo(stack, route, id, counters);
      if (answer.status !== 202 || answer.body?.duplicate) {
        failures.push(`${id}: ${answer.status} ${JSON.stringify(answer.body)}`);
        return;
      }
      sent.push({ id, sentAt, acceptedAt: wallNow() });
      // A carrier retry: of this message right away, or (every other time) of one 50 back.
      if (index % retryEvery === retryEvery - 1) {
        const retried = ids[Math.floor(index / retryEvery) % 2 === 0 ? index : Math.max(0, index - 50)]!;
        const again = await postMo(stack, route, retried, counters);
        retries.posted++;
        if (again.status === 202 && again.body?.duplicate === true) retries.answeredDuplicate++;
        else retries.other.push(`${retried}: ${again.status} ${JSON.stringify(again.body)}`);
      }
    });
    const lastAccepted = wallNow();
    const acceptedIds = sent.map((message) => message.id);
    const { missing, duplicates } = await awaitArrivals(receiver.arrivals, acceptedIds, 600_000);
    const firstArrival = (id: string) => receiver.arrivals.get(id)?.[0];
    const lastArrival = Math.max(...acceptedIds.map((id) => firstArrival(id) ?? 0));
    const violations = orderViolations(sent, firstArrival);

    const workflowId = chatWorkflowId(route.integrationId, CONTACT);
    let runs = 0;
    for await (const execution of temporalClient.client.workflow.list({ query: `WorkflowId = '${workflowId}'` }))
      if (execution.workflowId === workflowId) runs++;

    for (const line of [...failures.slice(0, 5), ...retries.other.slice(0, 5)])
      process.stderr.write(`long chat: ${line}\n`);
    const delivered = sent.length - missing;
    const throughput = (delivered / Math.max(1, lastArrival - started)) * 1000;
    const acceptance = (sent.length / Math.max(1, lastAccepted - started)) * 1000;
    const intact =
      failures.length === 0 &&
      missing === 0 &&
      duplicates === 0 &&
      violations === 0 &&
      retries.answeredDuplicate === retries.posted;
    return [
      {
        figure: `one chat, ${messages} MOs through continue-as-new (CHAT_MESSAGES_PER_RUN ${messagesPerRun}; ${inFlight} in flight)`,
        chathook: `${throughput.toFixed(1)} msg/s delivered, ${acceptance.toFixed(1)} msg/s accepted; ${runs} runs${counters.backpressure ? `; ${counters.backpressure} 429/503 retried` : ''}`,
        baseline: '—',
        target: 'survives 10,000 messages; throughput reported',
        met: messages >= 10_000 ? failures.length === 0 && missing === 0 : null,
      },
      {
        figure: `order and de-duplication in that chat (${retries.posted} carrier retries)`,
        chathook: `${delivered - duplicates} of ${messages} arrived exactly once, ${duplicates} more than once, ${missing} missing; ${violations} out of order; ${retries.answeredDuplicate} of ${retries.posted} retries answered duplicate: true${failures.length ? `; ${failures.length} not accepted` : ''}`,
        baseline: '—',
        target: 'each message once, in acceptance order; every retry answered duplicate',
        met: intact,
      },
    ];
  } finally {
    await temporalClient.close();
    await receiver.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const perRun = process.argv[4];
  const stack = await startEmbeddedStack({ env: perRun ? { CHAT_MESSAGES_PER_RUN: perRun } : {} });
  try {
    printRows(
      await benchLongChat(stack, {
        messages: Number(process.argv[2] ?? 10_000),
        inFlight: Number(process.argv[3] ?? 1),
      }),
    );
  } finally {
    await stack.stop();
  }
}
