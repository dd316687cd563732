/**
 * The approval as the API shows it: Graph's `approval` with `steps` (`assignedToMe` computed for the caller), plus
 * pimflow's fields (per step: its approvers, escalation approvers, deadline and escalation time). Internal bookkeeping (who was mailed, which links were used) stays out. Who may read it: the
 * requester, the approvers of its steps, admins and auditors; to anyone else it doesn't exist (404).
 */
import { APP_ROLES, type CallerPrincipal } from '../../auth/principal';
import { deciderIds, namedApproverIds, type Approval, type ApprovalStep } from '../domain/approval';

export function canReadApproval(approval: Approval, caller: CallerPrincipal): boolean {
  if (caller.roles.includes(APP_ROLES.admin) || caller.roles.includes(APP_ROLES.auditor)) return true;
  const me = caller.objectId.toLowerCase();
  if (approval.requesterId.toLowerCase() === me || approval.request.createdById.toLowerCase() === me)
    return true;
  return approval.steps.some((s) => namedApproverIds(s).some((id) => id.toLowerCase() === me));
}

export function approvalStepView(approval: Approval, step: ApprovalStep, callerId: string) {
  const me = callerId.toLowerCase();
  const isRequester =
    approval.requesterId.toLowerCase() === me || approval.request.createdById.toLowerCase() === me;
  return {
    id: step.id,
    displayName: step.displayName,
    status: step.status,
    assignedToMe:
      step.status === 'InProgress' && !isRequester && deciderIds(step).some((id) => id.toLowerCase() === me),
    reviewResult: step.reviewResult,
    reviewedBy: step.reviewedBy,
    reviewedDateTime: step.reviewedDateTime,
    justification: step.justification,
    approverIds: step.approverIds,
    expiresDateTime: step.expiresDateTime,
    isApproverJustificationRequired: step.isApproverJustificationRequired,
    escalationApproverIds: step.escalation?.approverIds ?? [],
    escalationDateTime: step.escalation?.dueDateTime ?? null,
    escalatedDateTime: step.escalation?.escalatedDateTime ?? null,
  };
}

export function approvalView(approval: Approval, callerId: string) {
  return {
    id: approval.id,
    groupId: approval.groupId,
    requestId: approval.requestId,
    requesterId: approval.requesterId,
    accessId: approval.accessId,
    status: approval.status,
    createdDateTime: approval.createdDateTime,
    completedDateTime: approval.completedDateTime,
    steps: approval.steps.map((s) => approvalStepView(approval, s, callerId)),
  };
}
