/**
 * The approval's audit records, one builder per event: requested (or not, for want of approvers), a stage opened,
 * escalated, decided, a decision refused, timed out, canceled. Ids are per event, so a retried activity writes
 * each record once. Pure.
 */
import { SYSTEM_ACTOR, userActor } from '../../audit/domain/audit-entry';
import type { AuditRecord } from '../../audit/domain/audit-record';
import { accessTargetResource } from '../../audit/domain/access-resource';
import type { ScheduleRequest } from '../../requests/domain/schedule-request';
import type { DecideRefused } from './decision-rules';
import { sameId, type Approval, type ApprovalStep } from './approval';

type Identity = { id: string; displayName: string | null };

/** What every approval record names: the approval, its request and group, and whose access it is about. */
function about(
  approval: Approval,
): Pick<AuditRecord, 'targetResources' | 'groupId' | 'principalId' | 'correlationId'> {
  return {
    targetResources: [
      { id: approval.id, type: 'Approval' },
      { id: approval.requestId, type: 'Request' },
      accessTargetResource(approval, approval.request.groupDisplayName),
    ],
    groupId: approval.groupId,
    principalId: approval.requesterId,
    correlationId: approval.requestId,
  };
}

function stageOf(approval: Approval, step: ApprovalStep): number {
  return approval.steps.findIndex((s) => s.id === step.id) + 1;
}

/** The approval opened: its first stage's approvers were asked. */
export function approvalRequestedRecord(approval: Approval, step: ApprovalStep): AuditRecord {
  return {
    id: `${approval.id}:approval:requested`,
    activityDateTime: new Date(approval.createdDateTime),
    activityDisplayName: `Approval requested (PIM ${approval.accessId})`,
    category: 'Approval',
    operationType: 'Request',
    result: 'success',
    resultReason: approval.request.justification ?? '',
    initiatedBy: userActor(approval.requesterId, approval.request.principalDisplayName),
    ...about(approval),
    details: {
      accessId: approval.accessId,
      action: approval.request.action,
      stage: '1',
      stageCount: String(approval.steps.length),
      stepId: step.id,
      approverIds: step.approverIds.join(','),
      expiresDateTime: step.expiresDateTime,
      escalationDateTime: step.escalation?.dueDateTime ?? null,
      justification: approval.request.justification,
      ticketNumber: approval.request.ticketNumber,
    },
  };
}

/** Nobody but the requester could approve (stage `stage` of several, or the only one): no approval opened. */
export function noApproversRecord(
  request: Pick<ScheduleRequest, 'id' | 'groupId' | 'accessId' | 'principalId'>,
  now: Date,
  stage: number | undefined,
): AuditRecord {
  return {
    id: `${request.id}:approval:no-approvers`,
    activityDateTime: now,
    activityDisplayName: `Approval could not be requested: nobody but the requester can approve (PIM ${request.accessId})`,
    category: 'Approval',
    operationType: 'Request',
    result: 'failure',
    resultReason:
      stage === undefined
        ? 'No approver other than the requester'
        : `No approver other than the requester in stage ${stage}`,
    initiatedBy: SYSTEM_ACTOR,
    targetResources: [{ id: request.id, type: 'Request' }, accessTargetResource(request)],
    groupId: request.groupId,
    principalId: request.principalId,
    correlationId: request.id,
    details: { accessId: request.accessId, ...(stage !== undefined && { stage: String(stage) }) },
  };
}

/** The stage after an approved one started (`step`, started at its `startedDateTime`, else `now`). */
export function stageOpenedRecord(approval: Approval, step: ApprovalStep, now: Date): AuditRecord {
  const stage = stageOf(approval, step);
  return {
    id: `${approval.id}:${step.id}:stage-opened`,
    activityDateTime: new Date(step.startedDateTime ?? now.toISOString()),
    activityDisplayName: `Approval stage ${stage} of ${approval.steps.length} opened (PIM ${approval.accessId})`,
    category: 'Approval',
    operationType: 'Request',
    result: 'success',
    resultReason: `Stage ${stage - 1} approved`,
    initiatedBy: SYSTEM_ACTOR,
    ...about(approval),
    details: {
      accessId: approval.accessId,
      stage: String(stage),
      stageCount: String(approval.steps.length),
      stepId: step.id,
      approverIds: step.approverIds.join(','),
      expiresDateTime: step.expiresDateTime,
      escalationDateTime: step.escalation?.dueDateTime ?? null,
    },
  };
}

/** Nobody decided `step` within its escalation time: its escalation approvers were asked. */
export function escalatedRecord(
  approval: Approval,
  step: ApprovalStep,
  escalation: { afterMinutes: number; approverIds: string[]; escalatedDateTime: string },
): AuditRecord {
  const stage = stageOf(approval, step);
  return {
    id: `${approval.id}:${step.id}:escalated`,
    activityDateTime: new Date(escalation.escalatedDateTime),
    activityDisplayName: `Approval escalated: nobody decided within ${escalation.afterMinutes} minutes (PIM ${approval.accessId})`,
    category: 'Approval',
    operationType: 'Other',
    result: 'success',
    resultReason: `Stage ${stage} undecided after ${escalation.afterMinutes} minutes`,
    initiatedBy: SYSTEM_ACTOR,
    ...about(approval),
    details: {
      accessId: approval.accessId,
      stage: String(stage),
      stepId: step.id,
      escalationApproverIds: escalation.approverIds.join(','),
    },
  };
}

/**
 * The audit record of a step's decision (id `{approvalId}:{stepId}:decided`, dated when it was decided). Written by
 * the decision itself, and again — a no-op when it exists — when the orchestration reads the decision, so a crash
 * between the decision's write and its audit record loses neither.
 */
export function decisionAuditRecord(
  saved: Approval,
  decidedStep: ApprovalStep,
  o: { at: Date; approver: Identity; via: string; linkId?: string | null },
): AuditRecord {
  const justification = decidedStep.justification;
  const reviewResult = decidedStep.reviewResult === 'Approve' ? 'Approve' : 'Deny';
  const { targetResources, ...subject } = about(saved);
  return {
    id: `${saved.id}:${decidedStep.id}:decided`,
    activityDateTime: o.at,
    activityDisplayName: `${reviewResult} request (PIM ${saved.accessId})`,
    category: 'Approval',
    operationType: reviewResult,
    result: 'success',
    resultReason: justification ?? '',
    initiatedBy: userActor(o.approver.id, o.approver.displayName),
    targetResources: [
      ...targetResources,
      { id: saved.requesterId, type: 'Principal', displayName: saved.request.principalDisplayName },
    ],
    ...subject,
    details: {
      accessId: saved.accessId,
      stepId: decidedStep.id,
      stage: String(stageOf(saved, decidedStep)),
      stageCount: String(saved.steps.length),
      escalationApprover: String(!decidedStep.approverIds.some((id) => sameId(id, o.approver.id))),
      reviewResult: reviewResult,
      justification,
      via: o.via,
      linkId: o.linkId,
    },
  };
}

/** A decision refused to someone who may not decide (`refusalId`: this refusal's own, each one is recorded). */
export function refusalRecord(
  approval: Approval,
  attempt: { approver: Identity; reviewResult: 'Approve' | 'Deny'; linkId?: string },
  refusal: DecideRefused,
  now: Date,
  refusalId: string,
): AuditRecord {
  return {
    id: `${approval.id}:refused:${refusalId}`,
    activityDateTime: now,
    activityDisplayName: `${attempt.reviewResult} request refused (PIM ${approval.accessId})`,
    category: 'Approval',
    operationType: attempt.reviewResult,
    result: 'failure',
    resultReason: refusal.detail,
    initiatedBy: userActor(attempt.approver.id, attempt.approver.displayName),
    ...about(approval),
    details: { reason: refusal.reason, via: attempt.linkId ? 'e-mail link' : 'API' },
  };
}

/** Nobody decided in time: the approval timed out (at the stage whose step `expired`, if known). */
export function timedOutRecord(
  approval: Approval,
  expired: ApprovalStep | undefined,
  now: Date,
): AuditRecord {
  const stage = expired ? stageOf(approval, expired) : 1;
  return {
    id: `${approval.id}:approval:timed-out`,
    activityDateTime: now,
    activityDisplayName: `Approval timed out: nobody decided in time (PIM ${approval.accessId})`,
    category: 'Approval',
    operationType: 'Expire',
    result: 'timeout',
    resultReason:
      approval.steps.length > 1 ? `Nobody decided stage ${stage} in time` : 'Nobody decided in time',
    initiatedBy: SYSTEM_ACTOR,
    ...about(approval),
    details: { accessId: approval.accessId, stage: String(stage), stepId: expired?.id ?? null },
  };
}

/** The request was canceled while its approval was open (by `by`, else the requester). */
export function canceledRecord(approval: Approval, now: Date, by: Identity | undefined): AuditRecord {
  return {
    id: `${approval.id}:approval:canceled`,
    activityDateTime: approval.completedDateTime ? new Date(approval.completedDateTime) : now,
    activityDisplayName: `Approval canceled with its request (PIM ${approval.accessId})`,
    category: 'Approval',
    operationType: 'Cancel',
    result: 'success',
    resultReason: 'Canceled by the requester',
    initiatedBy: by
      ? userActor(by.id, by.displayName)
      : userActor(approval.requesterId, approval.request.principalDisplayName),
    ...about(approval),
    details: { accessId: approval.accessId },
  };
}
