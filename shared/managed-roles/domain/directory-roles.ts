/**
 * What the managed-roles feature reads of the directory's roles, as Graph's `unifiedRoleDefinition` and
 * `unifiedRoleAssignment` shape them (the same shapes as the Directory port's, so the Directory satisfies
 * RoleDirectory in managed-roles.ts).
 */
import type { RoleHolder } from './managed-role';

/** A Microsoft Entra role; for built-in roles `id` is the template id. */
export interface RoleDefinitionInfo {
  id: string;
  templateId: string;
  displayName: string;
  description: string | null;
  isBuiltIn: boolean;
  isEnabled: boolean;
  isPrivileged: boolean;
}

/** A principal holding a role at a directory scope (`/` or `/administrativeUnits/{id}`). */
export interface RoleAssignmentInfo {
  id: string;
  principalId: string;
  roleDefinitionId: string;
  directoryScopeId: string;
}

export interface RoleAssignmentFilter {
  roleDefinitionId?: string;
  principalId?: string;
  directoryScopeId?: string;
}

/** Any directory object by id (the Directory's getPrincipal). */
export interface PrincipalInfo {
  id: string;
  type: RoleHolder['type'];
  displayName: string | null;
}

/** A baseline entry: who holds the role where, named as the directory names them now. */
export function roleHolderOf(assignment: RoleAssignmentInfo, principal: PrincipalInfo | null): RoleHolder {
  return {
    principalId: assignment.principalId,
    type: principal?.type ?? 'other',
    displayName: principal?.displayName ?? null,
    directoryScopeId: assignment.directoryScopeId,
  };
}
