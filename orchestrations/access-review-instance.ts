/**
 * One access review instance (one group role in one occurrence of a series), started by the series orchestration as
 * a sub-orchestration (`review-instance-{id}`, input `{ definitionId, instanceId }`): wait for its start, snapshot
 * the role's assignments into decision items a page at a time, go InProgress and mail the reviewers, remind those
 * with items left at the midpoint — in a multi-stage review, each stage in turn: move the items the stage before
 * passes on, mail the stage's reviewers, remind at its midpoint — and at the end — or when stopped (final) — close it, give undecided items the
 * default decision, tell the admins, and with auto-apply run the apply sub-orchestration. Decisions never come
 * here: they go straight to Cosmos through the API, so the history holds a handful of events per instance whatever
 * its size. Returns the instance's final status.
 */
import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler, Task, TimerTask } from 'durable-functions';
import { call, eventTask, resultOf } from '../shared/durable/activity';
import {
  applyOrchestrationId,
  InstanceActivity as A,
  REVIEW_ORCHESTRATORS,
  ReviewEvent,
  type InstanceRef,
  type MailReviewersResult,
  type SnapshotPageResult,
  type StopPayload,
} from '../shared/reviews/contract';

const accessReviewInstanceOrchestrator: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = context.df.getInput<InstanceRef>();
  const ref: InstanceRef = { definitionId: input.definitionId, instanceId: input.instanceId };
  const loaded = yield* call(context, A.load, ref);
  if (!loaded.found) return 'Deleted';
  if (loaded.status !== 'NotStarted' && loaded.status !== 'InProgress') return loaded.status;

  // One waiter for the whole run: a stop raised at any point is seen at the next wait.
  const stop = eventTask(context, ReviewEvent.stopInstance);
  const start = new Date(loaded.startDateTime);
  const end = new Date(loaded.endDateTime);
  const midpoint = new Date(start.getTime() + (end.getTime() - start.getTime()) / 2);
  const stages = loaded.stages ?? [];
  // In an object: the helpers below set it, and a `let` would stay narrowed to null out here.
  const run: { stopped: StopPayload | null } = { stopped: null };

  /** Waits until `at` unless stopped first; true when stopped. */
  function* waitUntil(at: Date): Generator<Task, boolean, unknown> {
    if (run.stopped) return true;
    if (stop.isCompleted) {
      run.stopped = resultOf(stop);
      return true;
    }
    if (context.df.currentUtcDateTime.getTime() >= at.getTime()) return false;
    const timer: TimerTask = context.df.createTimer(at);
    const winner = yield context.df.Task.any([timer, stop]);
    if (winner === stop) {
      timer.cancel();
      run.stopped = resultOf(stop);
      return true;
    }
    return false;
  }

  function* mailRound(kind: 'start' | 'reminder', stageId?: string): Generator<Task, void, unknown> {
    let after: string | null = null;
    do {
      try {
        const r: MailReviewersResult = yield* call(context, A.mailReviewers, {
          ...ref,
          kind,
          after,
          round: 'midpoint',
          ...(stageId === undefined ? {} : { stageId }),
        });
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
      const page: SnapshotPageResult = yield* call(context, A.snapshotPage, { ...ref, cursor });
      cursor = page.cursor;
    } while (cursor !== null);
    yield* call(context, A.begin, ref);
    context.df.setCustomStatus('InProgress');
    yield* mailRound('start', stages[0]?.stageId);
  } else if (loaded.stopped) {
    run.stopped = { by: { id: 'unknown', displayName: null } };
  }

  if (stages.length === 0) {
    if (!(yield* waitUntil(midpoint))) {
      yield* mailRound('reminder');
      yield* waitUntil(end);
    }
  } else {
    // Stages one after the other; a stop ends the current one and skips the rest. Statuses are the loaded ones, so
    // a restarted orchestration goes on from the stage it was in (moving items again is idempotent).
    for (const [k, stage] of stages.entries()) {
      if (run.stopped) break;
      if (stage.status === 'Completed') continue;
      const before = stages[k - 1];
      if (before && stage.status === 'NotStarted') {
        context.df.setCustomStatus(`Moving to stage ${stage.stageId}`);
        for (;;) {
          const moved = yield* call(context, A.advanceStage, {
            ...ref,
            from: before.stageId,
            to: stage.stageId,
          });
          if (!moved.more) break;
        }
        yield* call(context, A.beginStage, { ...ref, stageId: stage.stageId });
        yield* mailRound('start', stage.stageId);
      }
      context.df.setCustomStatus(`InProgress: stage ${stage.stageId}`);
      const stageStart = new Date(stage.startDateTime).getTime();
      const stageEnd = new Date(stage.endDateTime);
      if (yield* waitUntil(new Date(stageStart + (stageEnd.getTime() - stageStart) / 2))) break;
      yield* mailRound('reminder', stage.stageId);
      if (yield* waitUntil(stageEnd)) break;
    }
  }

  context.df.setCustomStatus('Completing');
  yield* call(context, A.close, { ...ref, stoppedBy: run.stopped?.by ?? null });
  for (;;) {
    const page = yield* call(context, A.applyDefaultDecisions, ref);
    if (!page.more) break;
  }
  let autoApply = false;
  try {
    const done = yield* call(context, A.notifyCompletion, ref);
    autoApply = done.autoApply;
  } catch {
    // The completion mail failed for good; the results stand and auto-apply is read again below.
    const again = yield* call(context, A.load, ref);
    if (!again.found) return 'Deleted';
  }
  context.df.setCustomStatus('Completed');
  if (!autoApply) return 'Completed';
  context.df.setCustomStatus('Applying');
  yield context.df.callSubOrchestrator(REVIEW_ORCHESTRATORS.apply, ref, applyOrchestrationId(ref.instanceId));
  return 'Applied';
};

df.app.orchestration(REVIEW_ORCHESTRATORS.instance, accessReviewInstanceOrchestrator);
