/**
 * One access review series (instance `review-series-{definitionId}`), eternal: each episode runs one occurrence and
 * continues as new with the next, so the history stays one occurrence long however long the series lives.
 *
 *   PlanOccurrence ──► end: the definition is gone, or the series is over (definition Completed) → return
 *        │ occurrence: its start and one NotStarted instance per selected role (created if missing)
 *        ▼
 *   timer: start  ⟷  StopSeries event (→ return)
 *        ▼
 *   StartOccurrence (definition InProgress; the instances take the series' current reviewers and duration)
 *        ▼
 *   one AccessReviewInstanceOrchestrator per instance, in parallel (sub-orchestrations) ──► all done
 *        ▼
 *   continueAsNew({ definitionId, occurrence + 1 })
 *
 * An instance whose orchestration fails is left as it is (its failure is in its own history); the series goes on.
 * Deleting the definition terminates this orchestration and its instances' (functions/access-review-definitions.ts).
 */
import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import { call, eventTask } from '../shared/durable/activity';
import {
  instanceOrchestrationId,
  REVIEW_ORCHESTRATORS,
  ReviewEvent,
  SeriesActivity as A,
  type SeriesInput,
  type SeriesOutput,
} from '../shared/reviews/contract';

const seriesOrchestrator: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = context.df.getInput<SeriesInput>();
  const { definitionId, occurrence } = input;
  const plan = yield* call(context, A.plan, { definitionId, occurrence });
  if (plan.kind === 'end') {
    context.df.setCustomStatus({ occurrence, status: 'Ended' });
    return { occurrences: occurrence } satisfies SeriesOutput;
  }

  context.df.setCustomStatus({ occurrence, status: 'Waiting', startDateTime: plan.startDateTime });
  const start = new Date(plan.startDateTime);
  if (start.getTime() > context.df.currentUtcDateTime.getTime()) {
    const timer = context.df.createTimer(start);
    const stop = eventTask(context, ReviewEvent.stopSeries);
    const winner = yield context.df.Task.any([timer, stop]);
    if (winner === stop) {
      timer.cancel();
      context.df.setCustomStatus({ occurrence, status: 'Stopped' });
      return { occurrences: occurrence } satisfies SeriesOutput;
    }
  }

  const instanceIds = plan.instances.map((i) => i.instanceId);
  const started = yield* call(context, A.start, { definitionId, occurrence, instanceIds });
  if (!started.proceed) return { occurrences: occurrence } satisfies SeriesOutput;

  context.df.setCustomStatus({ occurrence, status: 'Running', instances: instanceIds.length });
  const run = (instanceId: string) =>
    context.df.callSubOrchestrator(
      REVIEW_ORCHESTRATORS.instance,
      { definitionId, instanceId },
      instanceOrchestrationId(instanceId),
    );
  const runs = instanceIds.map(run);
  try {
    yield context.df.Task.all(runs);
  } catch {
    // One failed: wait for the others still running (the same tasks, not new sub-orchestrations), so the next
    // occurrence starts after all of them.
    for (const task of runs) {
      if (task.isCompleted) continue;
      try {
        yield task;
      } catch {
        // Its failure is in its own history.
      }
    }
  }

  context.df.continueAsNew({ definitionId, occurrence: occurrence + 1 } satisfies SeriesInput);
  return undefined;
};

df.app.orchestration(REVIEW_ORCHESTRATORS.series, seriesOrchestrator);
