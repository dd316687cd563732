/**
 * The request orchestration's activity names as one object, kept for files of other features that still use it
 * (approvals): new code takes `RequestActivity`, `LifecycleActivity` and `ApprovalActivity` from the contracts,
 * which these names come from.
 */
import { ApprovalActivity } from '../approvals/contract';
import { LifecycleActivity } from '../lifecycle/contract';
import { REQUEST_ORCHESTRATOR, RequestActivity } from './contract';

export const REQUEST_ACTIVITIES = {
  loadRequest: RequestActivity.loadRequest.name,
  abandonRequest: RequestActivity.abandonRequest.name,
  readDecision: RequestActivity.readDecision.name,
  confirmCancel: RequestActivity.confirmCancel.name,
  confirmEnd: RequestActivity.confirmEnd.name,
  readScheduleEnd: LifecycleActivity.readScheduleEnd.name,
  openApproval: ApprovalActivity.openApproval.name,
  expireApproval: ApprovalActivity.expireApproval.name,
  cancelApproval: ApprovalActivity.cancelApproval.name,
  setRequestStatus: RequestActivity.setRequestStatus.name,
  grantAccess: RequestActivity.grantAccess.name,
  revokeAccess: RequestActivity.revokeAccess.name,
  recordStarted: RequestActivity.recordStarted.name,
  recordEnded: RequestActivity.recordEnded.name,
  recordRevokeFailure: RequestActivity.recordRevokeFailure.name,
  sendExpiryNotice: LifecycleActivity.sendExpiryNotice.name,
  expireSchedule: LifecycleActivity.expireSchedule.name,
  applyExtension: LifecycleActivity.applyExtension.name,
};

export { REQUEST_ORCHESTRATOR };
