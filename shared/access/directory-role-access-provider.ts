/**
 * Access as a Microsoft Entra directory role, through Microsoft Graph: `resourceId` is the directory scope (`/`
 * or `/administrativeUnits/{id}`), `role` the role definition id (the template id for built-in roles), and the
 * principal a user, a role-assignable group or a service principal.
 */
import type { Directory } from '../directory/directory';
import { AccessNotConfirmedError, type AccessProvider, type AccessTarget } from './access-provider';

export function createDirectoryRoleAccessProvider(directory: Directory): AccessProvider {
  const isHeld = async (t: AccessTarget): Promise<boolean> => {
    const held = await directory.listRoleAssignments({
      roleDefinitionId: t.role,
      principalId: t.principalId,
      directoryScopeId: t.resourceId,
    });
    return held.length > 0;
  };
  return {
    async grant(t) {
      await directory.addRoleAssignment(t.role, t.principalId, t.resourceId);
      // Confirm: a grant isn't done until Graph shows it.
      if (!(await isHeld(t))) {
        throw new AccessNotConfirmedError(
          `Graph does not show ${t.principalId} holding role ${t.role} at ${t.resourceId} yet`,
        );
      }
    },
    async revoke(t) {
      await directory.removeRoleAssignment(t.role, t.principalId, t.resourceId);
      if (await isHeld(t)) {
        throw new AccessNotConfirmedError(
          `Graph still shows ${t.principalId} holding role ${t.role} at ${t.resourceId}`,
        );
      }
    },
    verify: isHeld,
    async listHolders(resourceId, role) {
      const held = await directory.listRoleAssignments({
        roleDefinitionId: role,
        directoryScopeId: resourceId,
      });
      // A principal may appear once per assignment; holders are principals.
      return [...new Set(held.map((a) => a.principalId))];
    },
  };
}
