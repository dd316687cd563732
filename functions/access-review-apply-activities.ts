/**
 * Registers the apply orchestration's activities (orchestrations/access-review-apply.ts). ApplyChunk ends schedules
 * through their own orchestrations, so it raises events itself, through the durable client.
 */
import * as df from 'durable-functions';
import type { InvocationContext } from '@azure/functions';
import {
  createApplyActivities,
  type ApplyActivities,
  type RaiseEnd,
} from '../shared/reviews/apply-activities';
import { APPLY_ACTIVITIES as A, type ApplyChunkInput, type ApplyInput } from '../shared/reviews/apply-names';
import { REQUEST_EVENTS } from '../shared/requests/domain/schedule-request';
import { getAppServices } from '../shared/composition-root';

let built: Promise<ApplyActivities> | undefined;

function activities(): Promise<ApplyActivities> {
  built ??= getAppServices()
    .then((s) => createApplyActivities({ ...s, log: (m) => console.warn(m) }))
    .catch((err: unknown) => {
      built = undefined;
      throw err;
    });
  return built;
}

const TERMINAL = new Set(['Completed', 'Failed', 'Terminated', 'Canceled']);

/** REQUEST_EVENTS.end to a schedule's orchestration; 'gone' when it doesn't exist or has finished. */
function raiseEndWith(client: df.DurableClient): RaiseEnd {
  return async (instanceId, payload) => {
    let status: df.DurableOrchestrationStatus | undefined;
    try {
      status = await client.getStatus(instanceId, { showInput: false });
    } catch (err) {
      if (err instanceof Error && /\b404\b/.test(err.message)) return 'gone';
      throw err;
    }
    if (!status?.runtimeStatus || TERMINAL.has(status.runtimeStatus)) return 'gone';
    try {
      // A 410 (finished meanwhile) resolves too: the orchestration then recorded its own end.
      await client.raiseEvent(instanceId, REQUEST_EVENTS.end, payload);
    } catch (err) {
      if (err instanceof Error && /No instance/i.test(err.message)) return 'gone';
      throw err;
    }
    return 'accepted';
  };
}

df.app.activity(A.begin, {
  handler: async (input: ApplyInput) => (await activities()).beginApply(input),
});

df.app.activity(A.chunk, {
  extraInputs: [df.input.durableClient()],
  handler: async (input: ApplyChunkInput, context: InvocationContext) =>
    (await activities()).applyChunk(input, raiseEndWith(df.getClient(context))),
});

df.app.activity(A.finish, {
  handler: async (input: ApplyInput) => (await activities()).finishApply(input),
});
