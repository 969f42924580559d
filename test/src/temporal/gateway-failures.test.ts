import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure, RetryState, TimeoutFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { applicationFailureOf } from '../../../src/temporal/gateway.js';
import { FailureType } from '../../../workflows/contract/failures.js';

/** The shapes Temporal hands the client: the gateway must find the contract's failure type in each. */
describe('the gateway reads the contract failure out of a Temporal error', () => {
  const taken = ApplicationFailure.create({
    type: FailureType.SENDER_IN_USE,
    message: 'sender 15550001 is claimed',
    nonRetryable: true,
    details: [['15550001']],
  });

  it('from a workflow that failed on an activity failure (a claim refused)', () => {
    const activity = new ActivityFailure(
      'activity failed',
      'claimConnection',
      '1',
      RetryState.NON_RETRYABLE_FAILURE,
      'worker',
      taken,
    );
    const failure = applicationFailureOf(
      new WorkflowFailedError('workflow failed', activity, RetryState.NON_RETRYABLE_FAILURE),
    );
    expect(failure?.type).toBe(FailureType.SENDER_IN_USE);
    expect(failure?.details).toEqual([['15550001']]);
  });

  it('from a workflow that failed on its own (activation of a deleted integration)', () => {
    const gone = ApplicationFailure.create({
      type: FailureType.NOT_FOUND,
      message: 'integration not found',
      nonRetryable: true,
    });
    expect(
      applicationFailureOf(new WorkflowFailedError('workflow failed', gone, RetryState.NON_RETRYABLE_FAILURE))?.type,
    ).toBe(FailureType.NOT_FOUND);
  });

  it('from an update a validator rejected (reply outside the WhatsApp window)', () => {
    const closed = ApplicationFailure.create({
      type: FailureType.WINDOW_CLOSED,
      message: 'the window closed',
      nonRetryable: true,
    });
    expect(applicationFailureOf(new WorkflowUpdateFailedError('update failed', closed))?.type).toBe(
      FailureType.WINDOW_CLOSED,
    );
  });

  it('finds none where there is none (a timeout, a plain error)', () => {
    expect(
      applicationFailureOf(
        new WorkflowFailedError(
          'workflow failed',
          new TimeoutFailure('timed out', undefined, 'START_TO_CLOSE'),
          RetryState.TIMEOUT,
        ),
      ),
    ).toBeUndefined();
    expect(applicationFailureOf(new Error('connection refused'))).toBeUndefined();
  });
});
