/** Registers the schedule lifecycle's activities (orchestrations/schedule-lifecycle.ts and extensions). */
import * as df from 'durable-functions';
import type { InvocationContext } from '@azure/functions';
import { getAppServices } from '../shared/composition-root';
import { REQUEST_ACTIVITIES as A } from '../shared/requests/activity-names';
import type { LifecycleActivities } from '../shared/lifecycle/lifecycle-activities';

df.app.activity(A.sendExpiryNotice, {
  handler: async (input: Parameters<LifecycleActivities['sendExpiryNotice']>[0]) =>
    (await getAppServices()).lifecycleActivities.sendExpiryNotice(input),
});

df.app.activity(A.readScheduleEnd, {
  handler: async (input: Parameters<LifecycleActivities['readScheduleEnd']>[0]) =>
    (await getAppServices()).lifecycleActivities.readScheduleEnd(input),
});

df.app.activity(A.expireSchedule, {
  handler: async (input: Parameters<LifecycleActivities['expireSchedule']>[0]) =>
    (await getAppServices()).lifecycleActivities.expireSchedule(input),
});

// Applying an extension tells the extended schedule's orchestration: the activity raises the event itself.
df.app.activity(A.applyExtension, {
  extraInputs: [df.input.durableClient()],
  handler: async (
    input: Parameters<LifecycleActivities['applyExtension']>[0],
    context: InvocationContext,
  ) => {
    const client = df.getClient(context);
    return (await getAppServices()).lifecycleActivities.applyExtension(input, (instanceId, name, payload) =>
      client.raiseEvent(instanceId, name, payload),
    );
  },
});
