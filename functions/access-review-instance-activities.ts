/** Registers the access review instance orchestration's activities (orchestrations/access-review-instance.ts). */
import * as df from 'durable-functions';
import { createInstanceActivities, type InstanceActivities } from '../shared/reviews/instance-activities';
import { REVIEW_INSTANCE_ACTIVITIES as A } from '../shared/reviews/instance-activity-names';
import { getAppServices } from '../shared/composition-root';

let built: InstanceActivities | undefined;

async function activities(): Promise<InstanceActivities> {
  if (!built) {
    const s = await getAppServices();
    built = createInstanceActivities({
      store: s.store,
      reviews: s.reviews,
      directory: s.directory,
      mailer: s.mailer,
      audit: s.audit,
      clock: s.clock,
      settings: s.settings,
    });
  }
  return built;
}

type In<K extends keyof InstanceActivities> = Parameters<InstanceActivities[K]>[0];

df.app.activity(A.load, {
  handler: async (input: In<'loadInstance'>) => (await activities()).loadInstance(input),
});
df.app.activity(A.snapshotPage, {
  handler: async (input: In<'snapshotPage'>) => (await activities()).snapshotPage(input),
});
df.app.activity(A.begin, {
  handler: async (input: In<'beginInstance'>) => (await activities()).beginInstance(input),
});
df.app.activity(A.mailReviewers, {
  handler: async (input: In<'mailReviewers'>) => (await activities()).mailReviewers(input),
});
df.app.activity(A.close, {
  handler: async (input: In<'closeInstance'>) => (await activities()).closeInstance(input),
});
df.app.activity(A.applyDefaultDecisions, {
  handler: async (input: In<'applyDefaultDecisions'>) => (await activities()).applyDefaultDecisions(input),
});
df.app.activity(A.notifyCompletion, {
  handler: async (input: In<'notifyCompletion'>) => (await activities()).notifyCompletion(input),
});
