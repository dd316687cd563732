/** Names of the request orchestration's activities: shared by the orchestrator and their registrations. */
export const REQUEST_ACTIVITIES = {
  loadRequest: 'LoadScheduleRequest',
  abandonRequest: 'AbandonScheduleRequest',
  readDecision: 'ReadApprovalDecision',
  confirmCancel: 'ConfirmCancelRequest',
  confirmEnd: 'ConfirmEndAccess',
  readScheduleEnd: 'ReadScheduleEnd',
  openApproval: 'OpenApproval',
  expireApproval: 'ExpireApproval',
  cancelApproval: 'CancelApproval',
  setRequestStatus: 'SetRequestStatus',
  grantAccess: 'GrantAccess',
  revokeAccess: 'RevokeAccess',
  recordStarted: 'RecordScheduleStarted',
  recordEnded: 'RecordScheduleEnded',
  recordRevokeFailure: 'RecordRevokeFailure',
  sendExpiryNotice: 'SendExpiryNotice',
  expireSchedule: 'ExpireSchedule',
  applyExtension: 'ApplyExtension',
} as const;

export const REQUEST_ORCHESTRATOR = 'ScheduleRequestOrchestrator';
