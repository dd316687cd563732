/** Registers the approval activities of the request orchestration (orchestrations/approval-flow.ts). */
import * as df from 'durable-functions';
import { APPROVAL_ACTIVITIES as S } from '../shared/approvals/approval-activity-names';
import { getAppServices } from '../shared/composition-root';
import { REQUEST_ACTIVITIES as A } from '../shared/requests/activity-names';
import type { ApprovalActivities } from '../shared/approvals/approval-activities';

df.app.activity(A.openApproval, {
  handler: async (input: Parameters<ApprovalActivities['openApproval']>[0]) =>
    (await getAppServices()).approvalActivities.openApproval(input),
});
df.app.activity(S.startApprovalStage, {
  handler: async (input: Parameters<ApprovalActivities['startApprovalStage']>[0]) =>
    (await getAppServices()).approvalActivities.startApprovalStage(input),
});
df.app.activity(S.escalateApproval, {
  handler: async (input: Parameters<ApprovalActivities['escalateApproval']>[0]) =>
    (await getAppServices()).approvalActivities.escalateApproval(input),
});
df.app.activity(A.expireApproval, {
  handler: async (input: Parameters<ApprovalActivities['expireApproval']>[0]) =>
    (await getAppServices()).approvalActivities.expireApproval(input),
});
df.app.activity(A.cancelApproval, {
  handler: async (input: Parameters<ApprovalActivities['cancelApproval']>[0]) =>
    (await getAppServices()).approvalActivities.cancelApproval(input),
});
