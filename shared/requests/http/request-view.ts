/** The API's view of requests and schedules: Graph's fields only (our bookkeeping fields stay inside). */
import type { Schedule } from '../../lifecycle/domain/schedule';
import { groupScheduleId } from '../domain/schedule-id';
import type { ScheduleRequest } from '../domain/schedule-request';

/** What `$select` may name on each view (the views' keys). */
export const REQUEST_PROPERTIES = [
  'id',
  'status',
  'completedDateTime',
  'createdDateTime',
  'approvalId',
  'customData',
  'createdBy',
  'action',
  'isValidationOnly',
  'justification',
  'scheduleInfo',
  'ticketInfo',
  'accessId',
  'principalId',
  'groupId',
  'targetScheduleId',
] as const;
export const SCHEDULE_PROPERTIES = [
  'id',
  'createdDateTime',
  'modifiedDateTime',
  'createdUsing',
  'status',
  'scheduleInfo',
  'accessId',
  'principalId',
  'groupId',
  'memberType',
  'assignmentType',
] as const;
export const INSTANCE_PROPERTIES = [
  'id',
  'startDateTime',
  'endDateTime',
  'accessId',
  'principalId',
  'groupId',
  'memberType',
  'assignmentType',
  'assignmentScheduleId',
  'activatedUsing',
  'eligibilityScheduleId',
] as const;

export function requestView(r: ScheduleRequest): Record<string, unknown> {
  return {
    id: r.id,
    status: r.status,
    completedDateTime: r.completedDateTime,
    createdDateTime: r.createdDateTime,
    approvalId: r.approvalId,
    customData: null,
    createdBy: { user: r.createdBy.user },
    action: r.action,
    isValidationOnly: r.isValidationOnly,
    justification: r.justification,
    scheduleInfo: r.scheduleInfo,
    ticketInfo: r.ticketInfo ?? { ticketNumber: null, ticketSystem: null },
    accessId: r.accessId,
    principalId: r.principalId,
    groupId: r.groupId,
    // Graph's form for a group schedule (domain/schedule-id.ts).
    targetScheduleId: r.targetScheduleId && groupScheduleId({ ...r, id: r.targetScheduleId }),
  };
}

export function scheduleView(s: Schedule): Record<string, unknown> {
  return {
    id: groupScheduleId(s),
    createdDateTime: s.createdDateTime,
    modifiedDateTime: s.modifiedDateTime,
    createdUsing: s.createdUsing,
    status: s.status,
    scheduleInfo: s.scheduleInfo,
    accessId: s.accessId,
    principalId: s.principalId,
    groupId: s.groupId,
    memberType: s.memberType,
    ...(s.kind === 'assignment' ? { assignmentType: s.assignmentType } : {}),
  };
}

/** An instance: the schedule as it is in force now (Graph's `...ScheduleInstance`). */
export function instanceView(s: Schedule): Record<string, unknown> {
  const scheduleId = groupScheduleId(s);
  return {
    id: scheduleId,
    startDateTime: s.startDateTime,
    endDateTime: s.endDateTime,
    accessId: s.accessId,
    principalId: s.principalId,
    groupId: s.groupId,
    memberType: s.memberType,
    // Graph's `activatedUsing` is a navigation to the eligibility instance, not a property: only `$expand` shows it.
    ...(s.kind === 'assignment'
      ? { assignmentType: s.assignmentType, assignmentScheduleId: scheduleId }
      : { eligibilityScheduleId: scheduleId }),
  };
}
