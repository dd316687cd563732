/**
 * One access review instance (one group role in one occurrence of a series), started by the series orchestration as
 * a sub-orchestration (`review-instance-{id}`, input `{ definitionId, instanceId }`): wait for its start, snapshot
 * the role's assignments into decision items a page at a time, go InProgress and mail the reviewers, remind those
 * with items left at the midpoint, and at the end — or when stopped (final) — close it, give undecided items the
 * default decision, tell the admins, and with auto-apply run the apply sub-orchestration. Decisions never come
 * here: they go straight to Cosmos through the API, so the history holds a handful of events per instance whatever
 * its size. Returns the instance's final status.
 */
import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler, Task, TimerTask } from 'durable-functions';
import {
  REVIEW_INSTANCE_ACTIVITIES as A,
  type InstanceRef,
  type LoadedInstance,
  type MailReviewersResult,
  type StopPayload,
} from '../shared/reviews/instance-activity-names';
import { applyOrchestrationId, REVIEW_EVENTS, REVIEW_ORCHESTRATORS } from '../shared/reviews/review-names';

const STEP_RETRY = retry(2_000, 10, 60_000);
/** Mails are retried for about 10 minutes; after that the review goes on without them. */
const MAIL_RETRY = retry(5_000, 8, 5 * 60_000);

const accessReviewInstanceOrchestrator: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = context.df.getInput<InstanceRef>();
  const ref: InstanceRef = { definitionId: input.definitionId, instanceId: input.instanceId };
  const loaded = (yield context.df.callActivityWithRetry(A.load, STEP_RETRY, ref)) as LoadedInstance;
  if (!loaded.found) return 'Deleted';
  if (loaded.status !== 'NotStarted' && loaded.status !== 'InProgress') return loaded.status;

  // One waiter for the whole run: a stop raised at any point is seen at the next wait.
  const stop = context.df.waitForExternalEvent(REVIEW_EVENTS.stopInstance);
  const start = new Date(loaded.startDateTime);
  const end = new Date(loaded.endDateTime);
  const midpoint = new Date(start.getTime() + (end.getTime() - start.getTime()) / 2);
  let stopped: StopPayload | null = null;

  /** Waits until `at` unless stopped first; true when stopped. */
  function* waitUntil(at: Date): Generator<Task, boolean, unknown> {
    if (stopped) return true;
    if (stop.isCompleted) {
      stopped = stop.result as StopPayload;
      return true;
    }
    if (context.df.currentUtcDateTime.getTime() >= at.getTime()) return false;
    const timer: TimerTask = context.df.createTimer(at);
    const winner = yield context.df.Task.any([timer, stop]);
    if (winner === stop) {
      timer.cancel();
      stopped = stop.result as StopPayload;
      return true;
    }
    return false;
  }

  function* mailRound(kind: 'start' | 'reminder'): Generator<Task, void, unknown> {
    let after: string | null = null;
    do {
      try {
        const r = (yield context.df.callActivityWithRetry(A.mailReviewers, MAIL_RETRY, {
          ...ref,
          kind,
          after,
          round: 'midpoint',
        })) as MailReviewersResult;
        after = r.after;
      } catch {
        return; // the failures are in the history; the review goes on
      }
    } while (after !== null);
  }

  if (loaded.status === 'NotStarted') {
    context.df.setCustomStatus('Waiting for the start');
    if (context.df.currentUtcDateTime.getTime() < start.getTime()) {
      yield context.df.createTimer(start);
    }
    context.df.setCustomStatus('Snapshotting');
    let cursor: string | null = null;
    do {
      const page = (yield context.df.callActivityWithRetry(A.snapshotPage, STEP_RETRY, {
        ...ref,
        cursor,
      })) as { cursor: string | null };
      cursor = page.cursor;
    } while (cursor !== null);
    yield context.df.callActivityWithRetry(A.begin, STEP_RETRY, ref);
    context.df.setCustomStatus('InProgress');
    yield* mailRound('start');
  } else if (loaded.stopped) {
    stopped = { by: { id: 'unknown', displayName: null } };
  }

  if (!(yield* waitUntil(midpoint))) {
    yield* mailRound('reminder');
    yield* waitUntil(end);
  }

  context.df.setCustomStatus('Completing');
  yield context.df.callActivityWithRetry(A.close, STEP_RETRY, {
    ...ref,
    stoppedBy: stopped ? (stopped as StopPayload).by : null,
  });
  for (;;) {
    const page = (yield context.df.callActivityWithRetry(A.applyDefaultDecisions, STEP_RETRY, ref)) as {
      more: boolean;
    };
    if (!page.more) break;
  }
  let autoApply = false;
  try {
    const done = (yield context.df.callActivityWithRetry(A.notifyCompletion, MAIL_RETRY, ref)) as {
      autoApply: boolean;
    };
    autoApply = done.autoApply;
  } catch {
    // The completion mail failed for good; the results stand and auto-apply is read again below.
    const again = (yield context.df.callActivityWithRetry(A.load, STEP_RETRY, ref)) as LoadedInstance;
    if (!again.found) return 'Deleted';
  }
  context.df.setCustomStatus('Completed');
  if (!autoApply) return 'Completed';
  context.df.setCustomStatus('Applying');
  yield context.df.callSubOrchestrator(REVIEW_ORCHESTRATORS.apply, ref, applyOrchestrationId(ref.instanceId));
  return 'Applied';
};

function retry(firstMs: number, attempts: number, maxMs: number): df.RetryOptions {
  const options = new df.RetryOptions(firstMs, attempts);
  options.backoffCoefficient = 2;
  options.maxRetryIntervalInMilliseconds = maxMs;
  return options;
}

df.app.orchestration(REVIEW_ORCHESTRATORS.instance, accessReviewInstanceOrchestrator);
