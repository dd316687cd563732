/** Registers the schedule lifecycle's activities (LifecycleActivity: the lifecycle and extensions). */
import * as df from 'durable-functions';
import { getAppServices } from '../shared/composition-root';
import { LifecycleActivity } from '../shared/lifecycle/contract';
import { raiseEvent, registerActivity } from './register-activity';

const activities = async () => (await getAppServices()).lifecycleActivities;

registerActivity(LifecycleActivity.sendExpiryNotice, async (input) =>
  (await activities()).sendExpiryNotice(input),
);
registerActivity(LifecycleActivity.readScheduleEnd, async (input) =>
  (await activities()).readScheduleEnd(input),
);
registerActivity(LifecycleActivity.expireSchedule, async (input) =>
  (await activities()).expireSchedule(input),
);

// Applying an extension tells the extended schedule's orchestration: the activity raises the event itself.
registerActivity(
  LifecycleActivity.applyExtension,
  async (input, context) => {
    const client = df.getClient(context);
    return (await activities()).applyExtension(input, (instanceId, event, payload) =>
      raiseEvent(client, instanceId, event, payload),
    );
  },
  { durableClient: true },
);
