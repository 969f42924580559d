/**
 * Temporal actions per message: the unit Temporal Cloud bills, counted from the chat's own
 * histories, and what a million messages would cost at the published price.
 *
 * What counts as an action follows Temporal Cloud's published definition,
 * https://docs.temporal.io/cloud/actions (source: temporalio/documentation
 * docs/evaluate/cloud/actions.mdx):
 *   - workflow started (client start, update-with-start, continue-as-new: the new run's
 *     WorkflowExecutionStarted; a child start counts 2 in the parent: intent + start);
 *   - update accepted (rejected updates also count, but are never written to history);
 *   - signal received (signal-with-start that started the workflow: one action in all);
 *   - query received (not in history: added by the caller, who knows how many it made);
 *   - activity scheduled, plus one per retry (ActivityTaskStarted.attempt − 1);
 *   - local activities and other markers (patches, side effects): all markers of one workflow
 *     task count as one action; local activity retries from the task's metering metadata;
 *   - timer started (condition() with a timeout included); search attribute upsert (one per
 *     command; TemporalChangeVersion alone is exempt); workflow options updated; reset; Nexus.
 * Not visible in a history and not counted: rejected updates, queries, activity and workflow
 * task heartbeats.
 *
 * Price: https://docs.temporal.io/cloud/pricing ("Actions pricing starts at $50 per million
 * Actions"; Pay-As-You-Go, the first 5M a month; $45…$25 per million at higher volumes).
 *
 * The bench: one chat with 1 MO then END, one with 1 + N MOs then END, one with 1 + N MOs and N
 * MTs then END, each waited out to its end (every delivery and carrier send done); per-MO and
 * per-MT actions and the open+close cost come from the differences.
 * Usage: npx tsx bench/temporal-actions.ts [messages=20]
 */
import { Client, Connection } from '@temporalio/client';
import proto, { type temporal } from '@temporalio/proto';
import { pathToFileURL } from 'node:url';
import { chatWorkflowId } from '../workflows/contract/ids.js';
import { startEmbeddedStack, type BenchStack, type ChatRoute } from './embedded-stack.js';
import { postJson, sendMo, startReceiver, type Receiver } from './load.js';

export interface BenchRow {
  figure: string;
  chathook: string;
  baseline: string;
  target: string;
  met: boolean | null;
}

/** Pay-As-You-Go, first 5M actions a month (https://docs.temporal.io/cloud/pricing). */
export const ACTION_PRICE_USD_PER_MILLION = 50;
export const ACTIONS_SOURCE = 'https://docs.temporal.io/cloud/actions';
export const PRICING_SOURCE = 'https://docs.temporal.io/cloud/pricing';

export type ActionKind =
  | 'workflowStarted'
  | 'childWorkflowStarted'
  | 'update'
  | 'signal'
  | 'activity'
  | 'activityRetry'
  | 'markers'
  | 'localActivityRetry'
  | 'timer'
  | 'searchAttributeUpsert'
  | 'optionsUpdated'
  | 'reset'
  | 'nexus';

export interface ActionCount {
  total: number;
  byKind: Partial<Record<ActionKind, number>>;
}

const EventType = proto.temporal.api.enums.v1.EventType;
const WorkflowTaskFailedCause = proto.temporal.api.enums.v1.WorkflowTaskFailedCause;
type History = temporal.api.history.v1.IHistory;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** Histories decoded from JSON may carry the enum's name instead of its number. */
function eventTypeOf(event: HistoryEvent): number {
  const type = event.eventType as unknown;
  if (typeof type === 'string')
    return (EventType as unknown as Record<string, number>)[type] ?? EventType.EVENT_TYPE_UNSPECIFIED;
  return (type as number | null | undefined) ?? EventType.EVENT_TYPE_UNSPECIFIED;
}

const asNumber = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));

/** The billable actions one run's history records (see the module comment for the rules). */
export function countBillableActions(history: History): ActionCount {
  const byKind: Partial<Record<ActionKind, number>> = {};
  const add = (kind: ActionKind, count = 1) => {
    if (count > 0) byKind[kind] = (byKind[kind] ?? 0) + count;
  };
  const events = history.events ?? [];
  const markerTasks = new Set<string>();
  let startedBySignalWithStart = false;
  events.forEach((event, index) => {
    switch (eventTypeOf(event)) {
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED: {
        // A child's start was counted in its parent (START_CHILD_WORKFLOW_EXECUTION_INITIATED).
        if (!event.workflowExecutionStartedEventAttributes?.parentWorkflowExecution) add('workflowStarted');
        const next = events[index + 1];
        startedBySignalWithStart =
          next !== undefined && eventTypeOf(next) === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED;
        break;
      }
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
        // Signal-with-start that started the workflow is one action in all.
        if (startedBySignalWithStart && index === 1) break;
        add('signal');
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
        add('update');
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
        add('activity');
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
        add('activityRetry', asNumber(event.activityTaskStartedEventAttributes?.attempt) - 1);
        break;
      case EventType.EVENT_TYPE_MARKER_RECORDED:
        markerTasks.add(
          String(event.markerRecordedEventAttributes?.workflowTaskCompletedEventId ?? `event-${String(event.eventId)}`),
        );
        break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
        add(
          'localActivityRetry',
          asNumber(
            event.workflowTaskCompletedEventAttributes?.meteringMetadata?.nonfirstLocalActivityExecutionAttempts,
          ),
        );
        break;
      case EventType.EVENT_TYPE_TIMER_STARTED:
        add('timer');
        break;
      case EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: {
        const fields = Object.keys(
          event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {},
        );
        if (!(fields.length === 1 && fields[0] === 'TemporalChangeVersion')) add('searchAttributeUpsert');
        break;
      }
      case EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
        add('childWorkflowStarted', 2);
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_OPTIONS_UPDATED:
        add('optionsUpdated');
        break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
        if (
          event.workflowTaskFailedEventAttributes?.cause ===
          WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW
        )
          add('reset');
        break;
      case EventType.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED:
      case EventType.EVENT_TYPE_NEXUS_OPERATION_CANCEL_REQUESTED:
        add('nexus');
        break;
      default:
        break;
    }
  });
  add('markers', markerTasks.size);
  return { total: Object.values(byKind).reduce((sum, count) => sum + count, 0), byKind };
}

export function sumActions(counts: readonly ActionCount[]): ActionCount {
  const byKind: Partial<Record<ActionKind, number>> = {};
  for (const count of counts)
    for (const [kind, value] of Object.entries(count.byKind))
      byKind[kind as ActionKind] = (byKind[kind as ActionKind] ?? 0) + value;
  return { total: counts.reduce((sum, count) => sum + count.total, 0), byKind };
}

/** `a − b` per kind, divided by `per` (actions per message from two chats' difference). */
export function actionDifference(a: ActionCount, b: ActionCount, per = 1): ActionCount {
  const kinds = new Set([...Object.keys(a.byKind), ...Object.keys(b.byKind)]) as Set<ActionKind>;
  const byKind: Partial<Record<ActionKind, number>> = {};
  for (const kind of kinds) {
    const value = ((a.byKind[kind] ?? 0) - (b.byKind[kind] ?? 0)) / per;
    if (value !== 0) byKind[kind] = value;
  }
  return { total: (a.total - b.total) / per, byKind };
}

const round = (value: number) => String(Math.round(value * 100) / 100);

/** "5 (update 1, activity 3, …)": the total and where it comes from. */
export function describeActions(count: ActionCount): string {
  const parts = Object.entries(count.byKind).map(([kind, value]) => `${kind} ${round(value)}`);
  return `${round(count.total)} (${parts.join(', ')})`;
}

export const costPerMillion = (actionsPerMessage: number) =>
  `$${(actionsPerMessage * ACTION_PRICE_USD_PER_MILLION).toFixed(0)}`;

export async function connectTemporal(
  stack: Pick<BenchStack, 'temporalAddress' | 'namespace'>,
): Promise<{ client: Client; close: () => Promise<void> }> {
  const connection = await Connection.connect({ address: stack.temporalAddress });
  return { client: new Client({ connection, namespace: stack.namespace }), close: () => connection.close() };
}

/** Every run of a workflow id, newest first: from the latest run back along continue-as-new. */
export async function runHistories(client: Client, workflowId: string): Promise<History[]> {
  const histories: History[] = [];
  let runId: string | undefined;
  for (;;) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    histories.push(history);
    const previous = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    if (!previous) return histories;
    runId = previous;
  }
}

interface ChatScript {
  contact: string;
  /** MOs after the one that opens the chat. */
  messages: number;
  /** MTs, one after each MO (after the first ones when fewer). */
  replies: number;
}

/** Plays one chat to its end (END, every delivery and send done) and counts its runs' actions. */
async function playChat(
  stack: BenchStack,
  route: ChatRoute,
  receiver: Receiver,
  client: Client,
  script: ChatScript,
): Promise<{ actions: ActionCount; runs: number }> {
  const { contact } = script;
  const mo = async (index: number) => {
    const status = await sendMo(stack, route, {
      messageId: `${contact}-mo-${index}`,
      from: contact,
      text: `${contact}-mo-${index}`,
    });
    if (status !== 202) throw new Error(`MO ${contact} #${index}: ${status}`);
  };
  const events = `${stack.baseUrl}/integrations/live-chat/${route.integrationId}/chats/${contact}/events`;
  const mt = async (body: unknown) => {
    const status = await postJson(events, route.responseToken, body);
    if (status !== 202) throw new Error(`MT ${contact}: ${status}`);
  };
  const channel =
    route.channel === 'WHATSAPP'
      ? { type: 'WHATSAPP', sender: route.sender }
      : { type: 'SMS', route: route.sender, connection: route.code };
  await mo(0);
  for (let index = 1; index <= script.messages; index++) {
    await mo(index);
    if (index <= script.replies) await mt({ type: 'MESSAGE', channel, msg: `${contact}-mt-${index}` });
  }
  for (let index = script.messages + 1; index <= script.replies; index++)
    await mt({ type: 'MESSAGE', channel, msg: `${contact}-mt-${index}` });
  await mt({ type: 'END' });
  const workflowId = chatWorkflowId(route.integrationId, contact);
  await client.workflow.getHandle(workflowId).result();
  const delivered = Array.from({ length: script.messages + 1 }, (_, index) => `${contact}-mo-${index}`).filter(
    (id) => receiver.arrivals.get(id)?.length === 1,
  ).length;
  if (delivered !== script.messages + 1)
    throw new Error(`${contact}: ${delivered} of ${script.messages + 1} MOs delivered exactly once`);
  const histories = await runHistories(client, workflowId);
  return { actions: sumActions(histories.map(countBillableActions)), runs: histories.length };
}

/**
 * Floor: what the same traffic costs in the least a Temporal design can spend, one signal and
 * one activity per message (bench/floor-workflow.ts), so 2 per MO; an MT would be the same.
 */
const FLOOR_ACTIONS_PER_MESSAGE = 2;

export async function benchTemporalActions(
  stack: BenchStack,
  options: { messages?: number } = {},
): Promise<BenchRow[]> {
  const messages = options.messages ?? 20;
  const receiver = await startReceiver();
  const temporalClient = await connectTemporal(stack);
  try {
    const route = await stack.provisionChatRoute({
      code: 'ACTIONS',
      sender: '41001',
      webhookUrl: `${receiver.url}/hook`,
    });
    const { client } = temporalClient;
    const opened = await playChat(stack, route, receiver, client, {
      contact: '5491170000001',
      messages: 0,
      replies: 0,
    });
    const withMo = await playChat(stack, route, receiver, client, { contact: '5491170000002', messages, replies: 0 });
    const withMoMt = await playChat(stack, route, receiver, client, {
      contact: '5491170000003',
      messages,
      replies: messages,
    });
    const perMo = actionDifference(withMo.actions, opened.actions, messages);
    const perMt = actionDifference(withMoMt.actions, withMo.actions, messages);
    const openClose = actionDifference(opened.actions, perMo);
    const chatMix = (openClose.total + messages * (perMo.total + perMt.total)) / (2 * messages);
    const price = `$${ACTION_PRICE_USD_PER_MILLION}/M actions (${PRICING_SOURCE})`;
    return [
      {
        figure: 'Temporal actions per MO',
        chathook: describeActions(perMo),
        baseline: `floor ${FLOOR_ACTIONS_PER_MESSAGE} (signal + activity)`,
        target: 'cut where no guarantee weakens',
        met: null,
      },
      {
        figure: 'Temporal actions per MT',
        chathook: describeActions(perMt),
        baseline: `floor ${FLOOR_ACTIONS_PER_MESSAGE}`,
        target: 'cut where no guarantee weakens',
        met: null,
      },
      {
        figure: 'Temporal actions per chat open + close',
        chathook: describeActions(openClose),
        baseline: '—',
        target: 'cut where no guarantee weakens',
        met: null,
      },
      {
        figure: 'Temporal Cloud cost per million MOs',
        chathook: costPerMillion(perMo.total),
        baseline: `floor ${costPerMillion(FLOOR_ACTIONS_PER_MESSAGE)}`,
        target: price,
        met: null,
      },
      {
        figure: 'Temporal Cloud cost per million MTs',
        chathook: costPerMillion(perMt.total),
        baseline: `floor ${costPerMillion(FLOOR_ACTIONS_PER_MESSAGE)}`,
        target: price,
        met: null,
      },
      {
        figure: `Temporal Cloud cost per million messages, chats of ${messages} MO + ${messages} MT (open + close included)`,
        chathook: `${costPerMillion(chatMix)} (${round(chatMix)} actions/message; runs per chat ${withMoMt.runs})`,
        baseline: `floor ${costPerMillion(FLOOR_ACTIONS_PER_MESSAGE)}`,
        target: price,
        met: null,
      },
    ];
  } finally {
    await temporalClient.close();
    await receiver.close();
  }
}

export function printRows(rows: readonly BenchRow[]): void {
  const lines = ['| figure | chathook | baseline | target | met |', '| --- | --- | --- | --- | --- |'];
  for (const row of rows)
    lines.push(
      `| ${row.figure} | ${row.chathook} | ${row.baseline} | ${row.target} | ${row.met === null ? '—' : row.met ? 'yes' : 'no'} |`,
    );
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const stack = await startEmbeddedStack();
  try {
    printRows(await benchTemporalActions(stack, { messages: Number(process.argv[2] ?? 20) }));
  } finally {
    await stack.stop();
  }
}
