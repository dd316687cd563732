/** Registers the access review instance orchestration's activities (orchestrations/access-review-instance.ts). */
import { InstanceActivity } from '../shared/reviews/contract';
import { instanceActivities } from './access-review-services';
import { registerActivity } from './register-activity';

registerActivity(InstanceActivity.load, async (input) => (await instanceActivities()).loadInstance(input));
registerActivity(InstanceActivity.snapshotPage, async (input) =>
  (await instanceActivities()).snapshotPage(input),
);
registerActivity(InstanceActivity.begin, async (input) => (await instanceActivities()).beginInstance(input));
registerActivity(InstanceActivity.mailReviewers, async (input) =>
  (await instanceActivities()).mailReviewers(input),
);
registerActivity(InstanceActivity.close, async (input) => (await instanceActivities()).closeInstance(input));
registerActivity(InstanceActivity.advanceStage, async (input) =>
  (await instanceActivities()).advanceStage(input),
);
registerActivity(InstanceActivity.beginStage, async (input) =>
  (await instanceActivities()).beginStage(input),
);
registerActivity(InstanceActivity.applyDefaultDecisions, async (input) =>
  (await instanceActivities()).applyDefaultDecisions(input),
);
registerActivity(InstanceActivity.notifyCompletion, async (input) =>
  (await instanceActivities()).notifyCompletion(input),
);
