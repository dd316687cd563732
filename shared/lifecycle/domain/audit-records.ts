/** The audit records of a schedule's life in force: expiry notices and extensions (deterministic ids). */
import { SYSTEM_ACTOR, userActor } from '../../audit/domain/audit-entry';
import type { AuditRecord } from '../../audit/domain/audit-record';
import { accessTargetResource } from '../../audit/domain/access-resource';
import type { ScheduleRequest } from '../../requests/domain/schedule-request';
import type { ExpiryNotice } from '../contract';
import type { Schedule } from './schedule';

/** The audit fields every record about a schedule shares (correlated with the request that made it, by default). */
function aboutSchedule(s: Schedule, correlationId = s.createdUsing) {
  return {
    targetResources: [accessTargetResource(s), { id: s.principalId, type: 'Principal' as const }],
    groupId: s.groupId,
    principalId: s.principalId,
    correlationId,
  };
}

/** An expiry notice went out (to `recipients`) for the schedule's end `endDateTime`. */
export function expiryNoticeRecord(
  schedule: Schedule,
  notice: ExpiryNotice,
  endDateTime: string,
  recipients: readonly string[],
  at: Date,
): AuditRecord {
  return {
    id: `${schedule.id}:notice:${notice}:${endDateTime}`,
    activityDateTime: at,
    activityDisplayName: `Expiry notice sent: ${notice === 'P14D' ? '14 days' : '1 day'} before the end (PIM ${schedule.accessId})`,
    category: schedule.kind === 'eligibility' ? 'Assignment' : 'Membership',
    operationType: 'Other',
    result: 'success',
    initiatedBy: SYSTEM_ACTOR,
    ...aboutSchedule(schedule),
    details: { notice, endDateTime, recipients: recipients.join(',') },
  };
}

/** An approved extend request moved the schedule's end to `endDateTime`. */
export function extensionRecord(
  request: Pick<ScheduleRequest, 'id' | 'action' | 'createdBy' | 'justification'>,
  schedule: Schedule,
  endDateTime: string,
  at: Date,
): AuditRecord {
  return {
    id: `${request.id}:extended`,
    activityDateTime: at,
    activityDisplayName: `Extend ${schedule.kind === 'eligibility' ? 'eligible ' : ''}${schedule.accessId} of group (PIM ${request.action})`,
    category: schedule.kind === 'eligibility' ? 'Assignment' : 'Membership',
    operationType: 'Update',
    result: 'success',
    initiatedBy: userActor(request.createdBy.user.id, request.createdBy.user.displayName),
    ...aboutSchedule(schedule, request.id),
    details: {
      accessId: schedule.accessId,
      scheduleId: schedule.id,
      endDateTime,
      justification: request.justification,
    },
  };
}
