/**
 * The audit records of a request's progress and of the access it grants and removes: one named builder per event,
 * each with a deterministic id (a retried activity records it once). The refusal record is in refusal-audit.ts.
 */
import { SYSTEM_ACTOR, userActor } from '../../audit/domain/audit-entry';
import type { AuditRecord } from '../../audit/domain/audit-record';
import {
  accessNoun,
  accessTargetResource,
  memberWord,
  type AuditedAccess,
} from '../../audit/domain/access-resource';
import type { ResourceType } from '../../access/resource';
import type { RequestWorkflowInput } from './request-workflow';
import type { Schedule } from '../../lifecycle/domain/schedule';
import type { RequestStatus, ScheduleRequest } from './schedule-request';

type Ref = { requestId: string; groupId: string };
type Actor = { id: string; displayName: string | null };

/** The audit fields every record about one principal's access to a group (or a directory role) shares. */
function aboutAccess(access: AuditedAccess, principalId: string, requestId: string) {
  return {
    targetResources: [accessTargetResource(access), { id: principalId, type: 'Principal' as const }],
    groupId: access.groupId,
    principalId,
    correlationId: requestId,
  };
}

/** The request reached `status` (approved, denied, canceled, timed out, failed, provisioned...). */
export function requestStatusRecord(
  ref: Ref,
  request: Pick<ScheduleRequest, 'action' | 'principalId' | 'accessId' | 'resourceType'>,
  status: RequestStatus,
  reason: string | null,
  at: Date,
): AuditRecord {
  return {
    id: `${ref.requestId}:status:${status}`,
    activityDateTime: at,
    activityDisplayName: `Request ${status === 'Granted' ? 'approved' : status.toLowerCase()} (PIM ${request.action})`,
    category: 'Request',
    operationType:
      status === 'Denied'
        ? 'Deny'
        : status === 'Canceled'
          ? 'Cancel'
          : status === 'TimedOut'
            ? 'Expire'
            : 'Update',
    result: status === 'Failed' ? 'failure' : status === 'TimedOut' ? 'timeout' : 'success',
    resultReason: reason ?? '',
    initiatedBy: SYSTEM_ACTOR,
    targetResources: [
      { id: ref.requestId, type: 'Request' },
      accessTargetResource({ ...request, groupId: ref.groupId }),
    ],
    groupId: ref.groupId,
    principalId: request.principalId,
    correlationId: ref.requestId,
    details: { accessId: request.accessId, status },
  };
}

/** The schedule a request created is in force: the access was added (or the eligibility created). */
export function accessStartedRecord(
  ref: Ref,
  input: RequestWorkflowInput,
  request: Pick<ScheduleRequest, 'createdBy' | 'justification' | 'ticketInfo'>,
  at: Date,
): AuditRecord {
  const activation = input.action === 'selfActivate';
  const renewal = input.action === 'selfRenew' || input.action === 'adminRenew';
  return {
    id: `${ref.requestId}:started`,
    activityDateTime: at,
    activityDisplayName:
      input.kind === 'eligibility'
        ? `Add eligible ${memberWord(input)} to ${accessNoun(input)} (PIM)`
        : `Add ${memberWord(input)} to ${accessNoun(input)} (PIM ${activation ? 'activation' : renewal ? 'renewal' : 'assignment'})`,
    category: input.kind === 'eligibility' ? 'Assignment' : 'Membership',
    operationType: 'Assign',
    result: 'success',
    initiatedBy: activation
      ? SYSTEM_ACTOR
      : userActor(request.createdBy.user.id, request.createdBy.user.displayName),
    ...aboutAccess({ ...input, groupId: ref.groupId }, input.principalId, ref.requestId),
    details: {
      accessId: input.accessId,
      justification: request.justification,
      ticketNumber: request.ticketInfo?.ticketNumber,
      startDateTime: input.startDateTime,
      endDateTime: input.endDateTime ?? 'permanent',
    },
  };
}

/** The schedule ended: it expired, or someone (`by`) ended it early. */
export function accessEndedRecord(
  ref: Ref,
  input: RequestWorkflowInput,
  reason: 'Expired' | 'Revoked',
  by: Actor | null,
  at: Date,
): AuditRecord {
  const expired = reason === 'Expired';
  return {
    id: `${ref.requestId}:ended`,
    activityDateTime: at,
    activityDisplayName:
      input.kind === 'eligibility'
        ? `Remove eligible ${memberWord(input)} from ${accessNoun(input)} (PIM ${expired ? 'expiry' : 'removal'})`
        : `Remove ${memberWord(input)} from ${accessNoun(input)} (PIM ${expired ? 'expiry' : input.action === 'selfActivate' ? 'deactivation' : 'removal'})`,
    category: input.kind === 'eligibility' ? 'Assignment' : 'Membership',
    operationType: expired ? 'Expire' : 'Unassign',
    result: 'success',
    initiatedBy: by ? userActor(by.id, by.displayName) : SYSTEM_ACTOR,
    ...aboutAccess({ ...input, groupId: ref.groupId }, input.principalId, ref.requestId),
    details: { accessId: input.accessId, reason },
  };
}

/** A revoke round failed; the orchestration tries again after a pause. */
export function revokeFailedRecord(
  ref: Ref,
  target: { resourceType?: ResourceType; role: string; principalId: string },
  round: number,
  reason: string,
  at: Date,
  refused = false,
): AuditRecord {
  return {
    id: `${ref.requestId}:revoke-failed:${round}`,
    activityDateTime: at,
    activityDisplayName: refused
      ? `Remove ${memberWord({ ...target, accessId: target.role })} from role refused: kept as the ${target.resourceType === 'azureRole' ? 'last subscription Owner' : 'last privileged administrator'} (round ${round})`
      : `Remove ${memberWord({ ...target, accessId: target.role })} from ${accessNoun(target)} failed; retrying (round ${round})`,
    category: 'Membership',
    operationType: 'Unassign',
    result: 'failure',
    resultReason: reason,
    initiatedBy: SYSTEM_ACTOR,
    ...aboutAccess(
      { resourceType: target.resourceType, groupId: ref.groupId, accessId: target.role },
      target.principalId,
      ref.requestId,
    ),
    details: { round: String(round) },
  };
}

/**
 * A removal of a role was refused because it would leave the directory without a Global Administrator (or
 * Privileged Role Administrator), or a governed subscription without an Owner (or User Access Administrator): once
 * per schedule, action and minute.
 */
export function lastAdminKeptRecord(
  schedule: Pick<Schedule, 'id' | 'resourceType' | 'groupId' | 'accessId' | 'principalId'>,
  action: string,
  reason: string,
  by: Actor,
  at: Date,
): AuditRecord {
  return {
    id: `${schedule.id}:kept-last-admin:${action}:${at.toISOString().slice(0, 16)}`,
    activityDateTime: at,
    activityDisplayName: `Remove member from role refused: ${schedule.resourceType === 'azureRole' ? 'last subscription Owner' : 'last privileged administrator'} (PIM ${action})`,
    category: 'Membership',
    operationType: 'Unassign',
    result: 'failure',
    resultReason: reason,
    initiatedBy: userActor(by.id, by.displayName),
    ...aboutAccess(schedule, schedule.principalId, schedule.id),
    details:
      schedule.resourceType === 'azureRole'
        ? { accessId: schedule.accessId, scope: schedule.groupId }
        : { accessId: schedule.accessId, directoryScopeId: schedule.groupId },
  };
}
