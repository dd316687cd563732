/**
 * Directory role requests, schedules and instances as Graph shapes them (unifiedRoleAssignmentScheduleRequest,
 * unifiedRoleEligibilityScheduleRequest, unifiedRoleAssignmentSchedule, ...): the core's `groupId` is the
 * `directoryScopeId`, its `accessId` the `roleDefinitionId`; app scopes are not supported (`appScopeId: null`).
 */
import type { DirectoryRoleDefinition } from '../../directory/directory';
import type { Schedule } from '../../lifecycle/domain/schedule';
import type { ScheduleRequest } from '../domain/schedule-request';
import { INSTANCE_PROPERTIES, REQUEST_PROPERTIES, requestView, SCHEDULE_PROPERTIES } from './request-view';

/** Graph writes these with a capital for Entra roles (`Direct`, `Group`; `Assigned`, `Activated`). */
const MEMBER_TYPE = { direct: 'Direct', group: 'Group' } as const;
const ASSIGNMENT_TYPE = { assigned: 'Assigned', activated: 'Activated' } as const;

function roleFields(d: { groupId: string; accessId: string; principalId: string }) {
  return {
    principalId: d.principalId,
    roleDefinitionId: d.accessId,
    directoryScopeId: d.groupId,
    appScopeId: null,
  };
}

const ROLE_FIELDS = ['principalId', 'roleDefinitionId', 'directoryScopeId', 'appScopeId'] as const;
const GROUP_FIELDS: readonly string[] = ['accessId', 'groupId', 'principalId'];
const asRole = (properties: readonly string[]) => [
  ...properties.filter((p) => !GROUP_FIELDS.includes(p)),
  ...ROLE_FIELDS,
];

/** What `$select` may name on each view (the views' keys). */
export const ROLE_REQUEST_PROPERTIES = asRole(REQUEST_PROPERTIES);
export const ROLE_SCHEDULE_PROPERTIES = asRole(SCHEDULE_PROPERTIES);
export const ROLE_INSTANCE_PROPERTIES = [
  ...asRole(INSTANCE_PROPERTIES).filter(
    (p) => !['assignmentScheduleId', 'eligibilityScheduleId', 'activatedUsing'].includes(p),
  ),
  'roleAssignmentOriginId',
  'roleAssignmentScheduleId',
  'roleEligibilityScheduleId',
];

export function roleRequestView(r: ScheduleRequest): Record<string, unknown> {
  const { accessId: _role, groupId: _scope, principalId: _principal, ...rest } = requestView(r);
  // A role schedule's id is a bare guid in Graph, as stored.
  return { ...rest, targetScheduleId: r.targetScheduleId, ...roleFields(r) };
}

export function roleScheduleView(s: Schedule): Record<string, unknown> {
  return {
    id: s.id,
    ...roleFields(s),
    createdUsing: s.createdUsing,
    createdDateTime: s.createdDateTime,
    modifiedDateTime: s.modifiedDateTime,
    status: s.status,
    scheduleInfo: s.scheduleInfo,
    memberType: MEMBER_TYPE[s.memberType],
    ...(s.kind === 'assignment' ? { assignmentType: assignmentTypeOf(s) } : {}),
  };
}

/** An instance: the schedule as it is in force now. */
export function roleInstanceView(s: Schedule): Record<string, unknown> {
  return {
    id: s.id,
    ...roleFields(s),
    startDateTime: s.startDateTime,
    endDateTime: s.endDateTime,
    memberType: MEMBER_TYPE[s.memberType],
    ...(s.kind === 'assignment'
      ? {
          assignmentType: assignmentTypeOf(s),
          // pimflow doesn't keep the directory's own role assignment id on its schedules (see entra-roles.md).
          roleAssignmentOriginId: null,
          roleAssignmentScheduleId: s.id,
        }
      : { roleEligibilityScheduleId: s.id }),
  };
}

function assignmentTypeOf(s: Schedule): string | null {
  return s.assignmentType ? ASSIGNMENT_TYPE[s.assignmentType] : null;
}

/**
 * A role definition as the directory port reads it (unifiedRoleDefinition's identity fields; permissions stay in
 * Graph: see entra-roles.md).
 */
export function roleDefinitionView(d: DirectoryRoleDefinition): Record<string, unknown> {
  return {
    id: d.id,
    templateId: d.templateId,
    displayName: d.displayName,
    description: d.description,
    isBuiltIn: d.isBuiltIn,
    isEnabled: d.isEnabled,
    isPrivileged: d.isPrivileged,
  };
}
