/**
 * Registers the apply orchestration's activities (orchestrations/access-review-apply.ts). ApplyChunk ends schedules
 * through their own orchestrations, so it raises events itself, through the durable client.
 */
import * as df from 'durable-functions';
import type { RaiseEnd } from '../shared/reviews/apply-activities';
import { ApplyActivity } from '../shared/reviews/contract';
import { RequestEvent } from '../shared/requests/contract';
import { ENDED_STATUSES } from '../shared/durable/instance-status';
import { applyActivities } from './access-review-services';
import { raiseEvent, registerActivity } from './register-activity';

/** RequestEvent.end to a schedule's orchestration; 'gone' when it doesn't exist or has finished. */
function raiseEndWith(client: df.DurableClient): RaiseEnd {
  return async (instanceId, payload) => {
    let status: df.DurableOrchestrationStatus | undefined;
    try {
      status = await client.getStatus(instanceId, { showInput: false });
    } catch (err) {
      if (err instanceof Error && /\b404\b/.test(err.message)) return 'gone';
      throw err;
    }
    if (!status?.runtimeStatus || ENDED_STATUSES.has(status.runtimeStatus)) return 'gone';
    try {
      // A 410 (finished meanwhile) resolves too: the orchestration then recorded its own end.
      await raiseEvent(client, instanceId, RequestEvent.end, payload);
    } catch (err) {
      if (err instanceof Error && /No instance/i.test(err.message)) return 'gone';
      throw err;
    }
    return 'accepted';
  };
}

registerActivity(ApplyActivity.begin, async (input) => (await applyActivities()).beginApply(input));
registerActivity(
  ApplyActivity.chunk,
  async (input, context) => (await applyActivities()).applyChunk(input, raiseEndWith(df.getClient(context))),
  { durableClient: true },
);
registerActivity(ApplyActivity.finish, async (input) => (await applyActivities()).finishApply(input));
