/**
 * What the admin's resource pages share: the resources under management (groups, Microsoft Entra roles), how a
 * resource's role is named in routes, and the API paths that differ between the two kinds.
 *
 * Routes: `#/admin/{settings,assignments}/group/<groupId>/<member|owner>` and
 * `#/admin/{settings,assignments}/role/<roleDefinitionId>` (a directory role has one role: itself).
 */
import type { Api } from '../../../api/client';
import { hrefFor } from '../../../app/router';
import { listAll } from '../../../api/odata';
import { scopeLastName } from '../../../api/arm';

export type ResourceKind = 'group' | 'role' | 'azure';

/** One role of one managed resource: a group's member or owner role, a directory role, an Azure role at a scope. */
export interface ResourceRole {
  kind: ResourceKind;
  /** The group's id, the role definition's id, or the Azure scope (ARM id). */
  resourceId: string;
  /** `member` or `owner` for a group; the role definition's id for a directory role; an Azure role's GUID. */
  role: string;
}

export interface ManagedGroup {
  id: string;
  groupId: string;
  displayName: string;
  managedSince: string;
  roles: string[];
}

export interface ManagedRole {
  id: string;
  roleDefinitionId: string;
  displayName: string;
  managedSince: string;
}

export interface RoleDefinition {
  id: string;
  displayName: string;
  description?: string | null;
  isEnabled?: boolean;
  isPrivileged?: boolean;
}

/** An Azure scope under management (`managedAzureScopes`, docs/api/azure-roles.md). */
export interface ManagedAzureScope {
  id: string;
  /** The ARM scope, lower case as pimflow stores it. */
  scope: string;
  displayName?: string | null;
  managedSince?: string;
  removeAssignmentsMadeOutsidePim?: boolean;
}

export const GROUP_ROLES = ['member', 'owner'] as const;

export const listManagedGroups = (api: Api) => listAll<ManagedGroup>(api, '/managedGroups?$top=999');
export const listManagedRoles = (api: Api) => listAll<ManagedRole>(api, '/managedRoles?$top=999');
export const listManagedAzureScopes = (api: Api) => listAll<ManagedAzureScope>(api, '/managedAzureScopes');

/** "finance-rg", or the scope's last segment when ARM gave no display name. */
export function azureScopeName(s: { scope: string; displayName?: string | null }): string {
  return s.displayName || scopeLastName(s.scope);
}

/** `member` → "Member". */
export function groupRoleLabel(role: string): string {
  return role === 'owner' ? 'Owner' : 'Member';
}

/** The route's resource role from the segments after the area (`['group', id, 'member']`), or undefined. */
export function resourceRoleFrom(segments: string[]): ResourceRole | undefined {
  const [kind, resourceId, role] = segments;
  if (kind === 'group' && resourceId && (role === 'member' || role === 'owner'))
    return { kind, resourceId, role };
  if (kind === 'role' && resourceId) return { kind, resourceId, role: resourceId };
  if (kind === 'azure' && resourceId && role) return { kind, resourceId, role };
  return undefined;
}

export function areaHref(area: 'settings' | 'assignments', r: ResourceRole): string {
  if (r.kind === 'azure') return hrefFor('admin', area, 'azure', r.resourceId, r.role);
  return r.kind === 'group'
    ? hrefFor('admin', area, 'group', r.resourceId, r.role)
    : hrefFor('admin', area, 'role', r.resourceId);
}

/** The resource role's name for headings: "Helpdesk Admin-Group · Member", "Helpdesk Administrator". */
export async function resourceRoleName(api: Api, r: ResourceRole): Promise<string> {
  if (r.kind === 'group') {
    const g = await api.get<ManagedGroup>(`/managedGroups/${encodeURIComponent(r.resourceId)}`);
    return `${g.displayName} · ${groupRoleLabel(r.role)}`;
  }
  const role = await api.get<ManagedRole>(`/managedRoles/${encodeURIComponent(r.resourceId)}`);
  return role.displayName;
}

/** The role's policy assignment filter (docs/api/role-settings.md). */
export function policyAssignmentPath(r: ResourceRole): string {
  const filter =
    r.kind === 'group'
      ? `scopeId eq '${r.resourceId}' and scopeType eq 'Group' and roleDefinitionId eq '${r.role}'`
      : `scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '${r.resourceId}'`;
  return `/policies/roleManagementPolicyAssignments?$filter=${encodeURIComponent(filter)}&$expand=${encodeURIComponent('policy($expand=rules)')}`;
}

export type AssignmentKind = 'eligible' | 'active';

/** Where a resource's requests and schedules of one kind live (docs/api/requests.md, entra-roles.md). */
export function assignmentPaths(
  r: ResourceRole,
  kind: AssignmentKind,
): { requests: string; schedules: string } {
  if (r.kind === 'group') {
    const base = '/identityGovernance/privilegedAccess/group';
    const name = kind === 'eligible' ? 'eligibility' : 'assignment';
    return { requests: `${base}/${name}ScheduleRequests`, schedules: `${base}/${name}Schedules` };
  }
  const base = '/roleManagement/directory';
  const name = kind === 'eligible' ? 'roleEligibility' : 'roleAssignment';
  return { requests: `${base}/${name}ScheduleRequests`, schedules: `${base}/${name}Schedules` };
}

/** The fields that name the resource role in a request body. */
export function resourceFields(r: ResourceRole, directoryScopeId = '/'): Record<string, string> {
  return r.kind === 'group'
    ? { groupId: r.resourceId, accessId: r.role }
    : { roleDefinitionId: r.resourceId, directoryScopeId };
}

/** The `$filter` of a resource role's schedules. */
export function scheduleFilter(r: ResourceRole): string {
  return r.kind === 'group'
    ? `groupId eq '${r.resourceId}' and accessId eq '${r.role}'`
    : `roleDefinitionId eq '${r.resourceId}'`;
}
