import proto, { type temporal } from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import { actionDifference, countBillableActions } from '../../bench/temporal-actions.js';

const EventType = proto.temporal.api.enums.v1.EventType;
type Event = temporal.api.history.v1.IHistoryEvent;
/** Event ids are Longs in decoded histories; the counter reads them as plain numbers too. */
const eventId = (id: number) => id as unknown as NonNullable<Event['eventId']>;

/** A history with event ids 1, 2, 3, … in the order given. */
const history = (...events: Event[]): temporal.api.history.v1.IHistory => ({
  events: events.map((event, index) => ({ eventId: eventId(index + 1), ...event })),
});
const event = (
  eventType: temporal.api.enums.v1.EventType,
  attributes: Omit<Event, 'eventType' | 'eventId'> = {},
): Event => ({ eventType, ...attributes });
const started = (attributes: temporal.api.history.v1.IWorkflowExecutionStartedEventAttributes = {}) =>
  event(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, { workflowExecutionStartedEventAttributes: attributes });
const taskScheduled = event(EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED);
const taskStarted = event(EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED);
const taskCompleted = (nonfirstLocalActivityExecutionAttempts = 0) =>
  event(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, {
    workflowTaskCompletedEventAttributes: { meteringMetadata: { nonfirstLocalActivityExecutionAttempts } },
  });
const marker = (workflowTaskCompletedEventId: number, markerName = 'core_local_activity') =>
  event(EventType.EVENT_TYPE_MARKER_RECORDED, {
    markerRecordedEventAttributes: { markerName, workflowTaskCompletedEventId: eventId(workflowTaskCompletedEventId) },
  });

describe('countBillableActions (Temporal Cloud actions from a history)', () => {
  it('counts an update-with-start chat: start, update, activities with retries, timers, markers per task, upserts', () => {
    const counted = countBillableActions(
      history(
        started(), // 1: start (update-with-start: the start is one action …)
        event(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ADMITTED), // 2: not billed
        taskScheduled, // 3
        taskStarted, // 4
        taskCompleted(), // 5
        event(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED), // 6: … and the update another
        event(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED), // 7: activity
        event(EventType.EVENT_TYPE_TIMER_STARTED), // 8: timer (condition with a timeout)
        marker(5, 'core_patch'), // 9: markers of task 5 …
        marker(5), // 10: … one action for both
        event(EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED, { activityTaskStartedEventAttributes: { attempt: 3 } }), // 11: two retries
        event(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED), // 12
        taskScheduled, // 13
        taskStarted, // 14
        taskCompleted(2), // 15: two local activity retries
        marker(15), // 16: another task's markers: one more action
        event(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED), // 17: not billed
        event(EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES, {
          upsertWorkflowSearchAttributesEventAttributes: {
            searchAttributes: { indexedFields: { ChathookChatStatus: {}, ChathookContact: {} } },
          },
        }), // 18: one upsert of two attributes is one action
        event(EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES, {
          upsertWorkflowSearchAttributesEventAttributes: {
            searchAttributes: { indexedFields: { TemporalChangeVersion: {} } },
          },
        }), // 19: versioning's own upsert is exempt
        event(EventType.EVENT_TYPE_TIMER_FIRED), // 20: not billed
        event(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED), // 21: signal
        event(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED), // 22: not billed
      ),
    );
    expect(counted.byKind).toEqual({
      workflowStarted: 1,
      update: 1,
      activity: 1,
      activityRetry: 2,
      timer: 1,
      markers: 2,
      localActivityRetry: 2,
      searchAttributeUpsert: 1,
      signal: 1,
    });
    expect(counted.total).toBe(12);
  });

  it('counts continue-as-new once (the new run starts), signal-with-start once, a child start twice in its parent and not in the child', () => {
    const continuedRun = countBillableActions(history(started({ continuedExecutionRunId: 'run-1' }), taskScheduled));
    const endingRun = countBillableActions(
      history(started(), event(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW)),
    );
    expect(continuedRun.total + endingRun.total).toBe(2);

    const signalWithStart = countBillableActions(
      history(
        started(),
        event(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED),
        taskScheduled,
        event(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED),
      ),
    );
    expect(signalWithStart.byKind).toEqual({ workflowStarted: 1, signal: 1 });

    const parent = countBillableActions(
      history(started(), event(EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED)),
    );
    const child = countBillableActions(
      history(started({ parentWorkflowExecution: { workflowId: 'parent', runId: 'run' } })),
    );
    expect(parent.total + child.total).toBe(3);
  });

  it('reads event types given by name (histories decoded from JSON)', () => {
    const counted = countBillableActions({
      events: [
        { eventId: eventId(1), eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED' as never },
        { eventId: eventId(2), eventType: 'EVENT_TYPE_TIMER_STARTED' as never },
      ],
    });
    expect(counted.byKind).toEqual({ workflowStarted: 1, timer: 1 });
  });

  it('derives per-message actions from two chats by difference', () => {
    const short = { total: 10, byKind: { workflowStarted: 1, update: 2, activity: 7 } };
    const long = { total: 50, byKind: { workflowStarted: 1, update: 12, activity: 37 } };
    expect(actionDifference(long, short, 10)).toEqual({ total: 4, byKind: { update: 1, activity: 3 } });
  });
});
