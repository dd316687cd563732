/** Registers the approval activities of the request orchestration (orchestrations/approval-flow.ts). */
import { ApprovalActivity } from '../shared/approvals/contract';
import { getAppServices } from '../shared/composition-root';
import { registerActivity } from './register-activity';

const activities = async () => (await getAppServices()).approvalActivities;

registerActivity(ApprovalActivity.openApproval, async (input) => (await activities()).openApproval(input));
registerActivity(ApprovalActivity.startApprovalStage, async (input) =>
  (await activities()).startApprovalStage(input),
);
registerActivity(ApprovalActivity.escalateApproval, async (input) =>
  (await activities()).escalateApproval(input),
);
registerActivity(ApprovalActivity.expireApproval, async (input) =>
  (await activities()).expireApproval(input),
);
registerActivity(ApprovalActivity.cancelApproval, async (input) =>
  (await activities()).cancelApproval(input),
);
