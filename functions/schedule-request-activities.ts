/** Registers the request orchestration's activities (RequestActivity); each calls into the app's services. */
import { getAppServices } from '../shared/composition-root';
import { RequestActivity } from '../shared/requests/contract';
import { registerActivity } from './register-activity';

const activities = async () => (await getAppServices()).requestActivities;

registerActivity(RequestActivity.loadRequest, async (input) => (await activities()).loadRequest(input));
registerActivity(RequestActivity.abandonRequest, async (input) => (await activities()).abandonRequest(input));
registerActivity(RequestActivity.readDecision, async (input) => (await activities()).readDecision(input));
registerActivity(RequestActivity.confirmCancel, async (input) => (await activities()).confirmCancel(input));
registerActivity(RequestActivity.confirmEnd, async (input) => (await activities()).confirmEnd(input));
registerActivity(RequestActivity.setRequestStatus, async (input) =>
  (await activities()).setRequestStatus(input),
);
registerActivity(RequestActivity.grantAccess, async (input) => (await activities()).grantAccess(input));
registerActivity(RequestActivity.revokeAccess, async (input) => (await activities()).revokeAccess(input));
registerActivity(RequestActivity.recordStarted, async (input) => (await activities()).recordStarted(input));
registerActivity(RequestActivity.recordEnded, async (input) => (await activities()).recordEnded(input));
registerActivity(RequestActivity.recordRevokeFailure, async (input) =>
  (await activities()).recordRevokeFailure(input),
);
