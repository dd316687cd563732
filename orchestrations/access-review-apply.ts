/**
 * Applies one access review instance's decisions (instance id `review-apply-{instanceId}`; started by the instance
 * orchestration when auto-apply is on, or by POST .../applyDecisions): Completed → Applying, then chunks of denied
 * items until none is left `New`, then Applied. The decisions live in Cosmos: each chunk is one activity, so the
 * history holds a few events per 500 items, never one per item. A chunk Graph throttled is followed by a timer;
 * after a run of chunks that made no progress the rest are recorded as failures, so the apply always ends.
 * Resumable at any point: the activities only pick items still `New` (see shared/reviews/apply-activities.ts).
 */
import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import { call } from '../shared/durable/activity';
import { ApplyActivity, REVIEW_ORCHESTRATORS, type ApplyInput } from '../shared/reviews/contract';

/** Chunks in a row that recorded nothing (all throttled) before the rest are recorded as failures. */
const MAX_IDLE_CHUNKS = 8;
/** Longest wait between throttled chunks. */
const MAX_WAIT_MS = 5 * 60_000;

const applyOrchestrator: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = context.df.getInput<ApplyInput>();
  const ref: ApplyInput = {
    definitionId: input.definitionId,
    instanceId: input.instanceId,
    appliedBy: input.appliedBy ?? null,
  };
  const begun = yield* call(context, ApplyActivity.begin, ref);
  if (!begun.proceed) return begun.status;

  context.df.setCustomStatus('Applying');
  let idle = 0;
  let wait = 0;
  for (;;) {
    const finalAttempt = idle >= MAX_IDLE_CHUNKS;
    const chunk = yield* call(context, ApplyActivity.chunk, { ...ref, finalAttempt });
    context.df.setCustomStatus({ status: 'Applying', remaining: chunk.remaining });
    if (chunk.remaining === 0) break;
    if (chunk.applied > 0) {
      idle = 0;
      wait = 0;
    } else {
      idle++;
    }
    if (chunk.retryAfterMs !== null) {
      wait = Math.min(Math.max(chunk.retryAfterMs, wait * 2), MAX_WAIT_MS);
      yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + wait));
    }
  }
  const finished = yield* call(context, ApplyActivity.finish, ref);
  context.df.setCustomStatus(finished.status);
  return finished.status;
};

df.app.orchestration(REVIEW_ORCHESTRATORS.apply, applyOrchestrator);
