/**
 * What stored state allows, checked by the activities before they grant or extend access and before the
 * orchestration acts on an event. Orchestration inputs and events are not a security boundary — anyone holding the
 * Durable management API's key can start an orchestration with any input or raise any event — so the activities
 * read the request, its approval and the schedule from Cosmos DB and act only on what those say. Pure functions.
 */
import { resourceTypeOf } from '../../access/resource';
import type { AccessTarget } from '../../access/access-provider';
import type { Approval, ApprovalStep } from '../../approvals/domain/approval';
import type { ApprovalDecision, RequestStatus, ScheduleRequest } from './schedule-request';

/** Clock skew allowed between the orchestration's start timer and the activity's clock. */
const START_SKEW_MS = 60_000;

/** Statuses in which a request may still be granted (or its schedule created). */
const GRANTABLE: readonly RequestStatus[] = ['PendingProvisioning', 'PendingScheduleCreation', 'Granted'];

/**
 * Why the stored request does not allow granting `target` now, or null when it does: the request exists, is an
 * assignment or eligibility still on its way, names this principal, group and role, its window is open, and — when
 * it needs an approval — its approval is Approved with every stage decided by one of that stage's approvers (or,
 * after escalation, an escalation approver), none of them the requester.
 */
export function whyNotGrantable(
  request: ScheduleRequest | undefined,
  approval: Approval | undefined,
  o: { now: Date; target?: AccessTarget },
): string | null {
  if (!request) return 'No such request is stored';
  if (!GRANTABLE.includes(request.status)) return `The request is ${request.status}`;
  if (o.target) {
    const t = o.target;
    if (
      request.kind !== 'assignment' ||
      resourceTypeOf(t) !== resourceTypeOf(request) ||
      !sameId(t.resourceId, request.groupId) ||
      !sameId(t.role, request.accessId) ||
      !sameId(t.principalId, request.principalId)
    ) {
      return 'The access asked for is not the access the request names';
    }
  }
  const now = o.now.getTime();
  if (Date.parse(request.startDateTime) > now + START_SKEW_MS) return 'The request has not started yet';
  if (request.endDateTime !== null && Date.parse(request.endDateTime) <= now) return 'The request has ended';
  if (request.approvalId || request.workflow?.approval) return whyNotApproved(request, approval);
  return null;
}

/** Why the request's approval does not approve it, or null when it does. */
export function whyNotApproved(request: ScheduleRequest, approval: Approval | undefined): string | null {
  if (!approval || approval.requestId !== request.id) return 'The request has no approval';
  if (approval.status !== 'Approved') return `Its approval is ${approval.status}`;
  for (const step of approval.steps) {
    if (step.status !== 'Completed' || step.reviewResult !== 'Approve')
      return 'A stage of its approval is not approved';
    const why = whyNotGenuine(approval, step, request);
    if (why) return why;
  }
  return null;
}

/**
 * The decision recorded for `stepId`, if the approval document holds one made by an allowed approver: what an
 * `ApprovalDecided` event claims is believed only when this returns it.
 */
export function recordedDecision(
  approval: Approval | undefined,
  stepId: string,
  request: ScheduleRequest | undefined,
): ApprovalDecision | undefined {
  const step = approval?.steps.find((s) => s.id === stepId);
  if (!approval || !step || !request) return undefined;
  if (step.reviewResult === 'NotReviewed' || !step.reviewedBy) return undefined;
  if (whyNotGenuine(approval, step, request)) return undefined;
  return {
    approvalId: approval.id,
    stepId: step.id,
    reviewResult: step.reviewResult,
    justification: step.justification,
    reviewedBy: { id: step.reviewedBy.id, displayName: step.reviewedBy.displayName },
    reviewedDateTime: step.reviewedDateTime ?? approval.completedDateTime ?? approval.createdDateTime,
  };
}

function whyNotGenuine(approval: Approval, step: ApprovalStep, request: ScheduleRequest): string | null {
  const by = step.reviewedBy?.id;
  if (!by) return 'A stage of its approval records no approver';
  if (
    sameId(by, approval.requesterId) ||
    sameId(by, request.principalId) ||
    sameId(by, request.createdBy.user.id)
  )
    return 'A stage of its approval was decided by the requester';
  const escalated = step.escalation?.escalatedDateTime ? step.escalation.approverIds : [];
  if (![...step.approverIds, ...escalated].some((id) => sameId(id, by)))
    return 'A stage of its approval was decided by someone who is not its approver';
  return null;
}

function sameId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
