/**
 * Azure role requests, schedules and instances as Azure Resource Manager shapes them (RoleAssignmentScheduleRequest,
 * RoleEligibilityScheduleRequest, RoleAssignmentSchedule, RoleAssignmentScheduleInstance, ... of api-version
 * 2020-10-01): `{ id, name, type, properties: {...} }`. The core's `groupId` is the scope (stored lower case; shown
 * as ARM spells it when ARM knows it), its `accessId` the role definition's GUID (shown as the full ARM id), its
 * actions ARM's `requestType` (`adminAssign` ↔ `AdminAssign`). See docs/api/azure-roles.md.
 */
import { forEachLimited } from '../../batching';
import type { AzureRbac } from '../../azure/azure-rbac';
import type { Directory } from '../../directory/directory';
import type { Schedule } from '../../lifecycle/domain/schedule';
import type { ScheduleRequest, ScheduleInfo } from '../domain/schedule-request';
import { roleDefinitionArmId, type PimCollection } from './arm-path';

/** ARM's resource type segment in ids and `type`, as ARM writes it (capitalized). */
const TYPE_SEGMENT: Record<PimCollection | 'roleAssignmentApprovals', string> = {
  roleAssignmentScheduleRequests: 'RoleAssignmentScheduleRequests',
  roleEligibilityScheduleRequests: 'RoleEligibilityScheduleRequests',
  roleAssignmentSchedules: 'RoleAssignmentSchedules',
  roleEligibilitySchedules: 'RoleEligibilitySchedules',
  roleAssignmentScheduleInstances: 'RoleAssignmentScheduleInstances',
  roleEligibilityScheduleInstances: 'RoleEligibilityScheduleInstances',
  roleAssignmentApprovals: 'RoleAssignmentApprovals',
};

export function armId(scope: string, collection: keyof typeof TYPE_SEGMENT, name: string): string {
  return `${scope}/providers/Microsoft.Authorization/${TYPE_SEGMENT[collection]}/${name}`;
}

/** What expandedProperties show, read once per answer: ARM's spelling and names, the principals. */
export interface ArmNames {
  /** ARM's spelling of a stored (lower-case) scope, and its name and type. */
  scope(stored: string): { id: string; displayName: string; type: string };
  role(guid: string): { displayName: string; type: string } | null;
  principal(id: string): { displayName: string | null; email: string | null; type: string } | null;
}

export interface ArmNamesDeps {
  directory: Pick<Directory, 'getUsers' | 'getPrincipal'>;
  /** ARM through the AzureRbac port; without it, scopes show as stored and roles without names. */
  rbac?: Pick<AzureRbac, 'getScope' | 'getRoleDefinition'> | undefined;
}

const SCOPE_TYPES = {
  managementGroup: 'managementgroup',
  subscription: 'subscription',
  resourceGroup: 'resourcegroup',
} as const;
const PRINCIPAL_TYPES = {
  user: 'User',
  group: 'Group',
  servicePrincipal: 'ServicePrincipal',
  other: 'Unknown',
};

/** Loads the names the items need: each scope, role and principal once. */
export async function loadArmNames(
  deps: ArmNamesDeps,
  items: readonly { groupId: string; accessId: string; principalId: string }[],
): Promise<ArmNames> {
  const scopes = new Map<string, { id: string; displayName: string; type: string }>();
  const roles = new Map<string, { displayName: string; type: string }>();
  const principals = new Map<string, { displayName: string | null; email: string | null; type: string }>();
  const rbac = deps.rbac;
  if (rbac) {
    await forEachLimited([...new Set(items.map((i) => i.groupId))], 5, async (scope) => {
      const found = await rbac.getScope(scope).catch(() => null);
      if (found)
        scopes.set(scope, {
          id: found.id,
          displayName: found.displayName,
          type: found.kind === 'resource' ? found.type : SCOPE_TYPES[found.kind],
        });
    });
    await forEachLimited([...new Set(items.map((i) => `${i.groupId} ${i.accessId}`))], 5, async (key) => {
      const [scope = '', guid = ''] = key.split(' ');
      if (roles.has(guid)) return;
      const found = await rbac.getRoleDefinition(scope, guid).catch(() => null);
      if (found) roles.set(guid, { displayName: found.roleName, type: found.roleType });
    });
  }
  const ids = [...new Set(items.map((i) => i.principalId))];
  const users = ids.length > 0 ? await deps.directory.getUsers(ids) : {};
  await forEachLimited(ids, 5, async (id) => {
    const u = users[id];
    if (u) {
      principals.set(id, { displayName: u.displayName, email: u.mail, type: 'User' });
      return;
    }
    const p = await deps.directory.getPrincipal(id);
    if (p) principals.set(id, { displayName: p.displayName, email: null, type: PRINCIPAL_TYPES[p.type] });
  });
  return {
    scope: (stored) =>
      scopes.get(stored) ?? { id: stored, displayName: stored, type: scopeTypeByPath(stored) },
    role: (guid) => roles.get(guid) ?? null,
    principal: (id) => principals.get(id) ?? null,
  };
}

function scopeTypeByPath(scope: string): string {
  if (/^\/providers\/microsoft\.management\/managementgroups\//i.test(scope)) return 'managementgroup';
  if (/^\/subscriptions\/[^/]+$/i.test(scope)) return 'subscription';
  if (/^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+$/i.test(scope)) return 'resourcegroup';
  return 'resource';
}

const EXPIRATION_TYPES = {
  noExpiration: 'NoExpiration',
  afterDateTime: 'AfterDateTime',
  afterDuration: 'AfterDuration',
  notSpecified: 'NoExpiration',
} as const;

/** The core's scheduleInfo in ARM's casing. */
export function armScheduleInfo(info: ScheduleInfo, start: string): Record<string, unknown> {
  return {
    startDateTime: info.startDateTime ?? start,
    expiration: {
      type: EXPIRATION_TYPES[info.expiration.type as keyof typeof EXPIRATION_TYPES] ?? 'NoExpiration',
      endDateTime: info.expiration.endDateTime ?? null,
      duration: info.expiration.duration ?? null,
    },
  };
}

const capitalized = (s: string) => `${s[0]?.toUpperCase() ?? ''}${s.slice(1)}`;

function common(d: { groupId: string; accessId: string; principalId: string }, names: ArmNames) {
  const scope = names.scope(d.groupId);
  const roleDefinitionId = roleDefinitionArmId(scope.id, d.accessId);
  const role = names.role(d.accessId);
  const principal = names.principal(d.principalId);
  return {
    scope: scope.id,
    roleDefinitionId,
    principalId: d.principalId,
    principalType: principal?.type ?? 'User',
    expandedProperties: {
      principal: {
        id: d.principalId,
        displayName: principal?.displayName ?? null,
        email: principal?.email ?? null,
        type: principal?.type ?? 'User',
      },
      roleDefinition: {
        id: roleDefinitionId,
        displayName: role?.displayName ?? null,
        type: role?.type ?? null,
      },
      scope,
    },
  };
}

/** The approval of an activation, at the tenant root as ARM names it. */
export function approvalArmId(approvalId: string): string {
  return `/providers/Microsoft.Authorization/roleAssignmentApprovals/${approvalId}`;
}

export function armRequestView(r: ScheduleRequest, names: ArmNames): Record<string, unknown> {
  const collection =
    r.kind === 'assignment' ? 'roleAssignmentScheduleRequests' : 'roleEligibilityScheduleRequests';
  const { expandedProperties, ...base } = common(r, names);
  const target = r.targetScheduleId ?? r.id;
  const schedules = r.kind === 'assignment' ? 'roleAssignmentSchedules' : 'roleEligibilitySchedules';
  const activatedUsing = r.workflow?.activatedUsing ?? null;
  const properties: Record<string, unknown> = {
    ...base,
    requestType: capitalized(r.action),
    status: r.status,
    approvalId: r.approvalId ? approvalArmId(r.approvalId) : null,
    ...(r.kind === 'assignment'
      ? {
          targetRoleAssignmentScheduleId: armId(base.scope, schedules, target),
          targetRoleAssignmentScheduleInstanceId: null,
          linkedRoleEligibilityScheduleId: activatedUsing
            ? armId(base.scope, 'roleEligibilitySchedules', activatedUsing)
            : null,
        }
      : {
          targetRoleEligibilityScheduleId: armId(base.scope, schedules, target),
          targetRoleEligibilityScheduleInstanceId: null,
        }),
    scheduleInfo: armScheduleInfo(r.scheduleInfo, r.startDateTime),
    justification: r.justification,
    ticketInfo: {
      ticketNumber: r.ticketInfo?.ticketNumber ?? null,
      ticketSystem: r.ticketInfo?.ticketSystem ?? null,
    },
    condition: null,
    conditionVersion: null,
    createdOn: r.createdDateTime,
    requestorId: r.createdBy.user.id,
    expandedProperties,
  };
  return {
    id: armId(base.scope, collection, r.id),
    name: r.id,
    type: `Microsoft.Authorization/${TYPE_SEGMENT[collection]}`,
    properties,
  };
}

/** ARM's schedule statuses: a schedule not yet started is still being provisioned. */
export const ARM_SCHEDULE_STATUS: Record<Schedule['status'], string> = {
  Scheduled: 'PendingProvisioning',
  Provisioned: 'Provisioned',
  Revoked: 'Revoked',
  Expired: 'Expired',
  Failed: 'Failed',
};

/**
 * How the schedule reaches the scope asked about: `Inherited` when it is made at a scope above it; else `Direct`,
 * or `Group` (through a group's membership) as stored.
 */
export function armMemberType(s: Schedule, askedScope: string | undefined): string {
  if (askedScope !== undefined && askedScope !== '' && askedScope.toLowerCase() !== s.groupId)
    return 'Inherited';
  return s.memberType === 'group' ? 'Group' : 'Direct';
}

export function armScheduleView(
  s: Schedule,
  names: ArmNames,
  instance: boolean,
  askedScope?: string,
): Record<string, unknown> {
  const assignment = s.kind === 'assignment';
  const collection: PimCollection = assignment
    ? instance
      ? 'roleAssignmentScheduleInstances'
      : 'roleAssignmentSchedules'
    : instance
      ? 'roleEligibilityScheduleInstances'
      : 'roleEligibilitySchedules';
  const { expandedProperties, ...base } = common(s, names);
  const linked = s.activatedUsing ? armId(base.scope, 'roleEligibilitySchedules', s.activatedUsing) : null;
  const assignmentType = s.assignmentType ? capitalized(s.assignmentType) : null;
  const properties: Record<string, unknown> = {
    ...base,
    ...(instance
      ? assignment
        ? {
            roleAssignmentScheduleId: armId(base.scope, 'roleAssignmentSchedules', s.id),
            // pimflow doesn't keep ARM's role assignment id on its schedules (see azure-roles.md).
            originRoleAssignmentId: null,
            linkedRoleEligibilityScheduleId: linked,
            linkedRoleEligibilityScheduleInstanceId: s.activatedUsing
              ? armId(base.scope, 'roleEligibilityScheduleInstances', s.activatedUsing)
              : null,
            assignmentType,
          }
        : { roleEligibilityScheduleId: armId(base.scope, 'roleEligibilitySchedules', s.id) }
      : assignment
        ? {
            roleAssignmentScheduleRequestId: armId(
              base.scope,
              'roleAssignmentScheduleRequests',
              s.createdUsing,
            ),
            linkedRoleEligibilityScheduleId: linked,
            assignmentType,
          }
        : {
            roleEligibilityScheduleRequestId: armId(
              base.scope,
              'roleEligibilityScheduleRequests',
              s.createdUsing,
            ),
          }),
    memberType: armMemberType(s, askedScope),
    status: ARM_SCHEDULE_STATUS[s.status],
    startDateTime: s.startDateTime,
    endDateTime: s.endDateTime,
    condition: null,
    conditionVersion: null,
    createdOn: s.createdDateTime,
    ...(instance ? {} : { updatedOn: s.modifiedDateTime }),
    expandedProperties,
  };
  return {
    id: armId(base.scope, collection, s.id),
    name: s.id,
    type: `Microsoft.Authorization/${TYPE_SEGMENT[collection]}`,
    properties,
  };
}
