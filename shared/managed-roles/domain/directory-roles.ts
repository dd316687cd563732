/** A baseline entry of a managed role, from the directory's role assignment and the principal holding it. */
import type { DirectoryPrincipal, DirectoryRoleAssignment } from '../../directory/directory';
import type { RoleHolder } from './managed-role';

/** Who holds the role where, named as the directory names them now. */
export function roleHolderOf(
  assignment: DirectoryRoleAssignment,
  principal: DirectoryPrincipal | null,
): RoleHolder {
  return {
    principalId: assignment.principalId,
    type: principal?.type ?? 'other',
    displayName: principal?.displayName ?? null,
    directoryScopeId: assignment.directoryScopeId,
  };
}
