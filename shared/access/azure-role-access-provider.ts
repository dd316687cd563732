/**
 * Access as an Azure role, through Azure Resource Manager: `resourceId` is the ARM scope (stored lower case), `role`
 * the role definition's GUID, and the principal a user, a group or a service principal of the directory. Only
 * assignments made at exactly the scope count: one inherited from above is someone else's (made at another scope),
 * and pimflow never grants or takes it away from here.
 */
import type { Directory, PrincipalType } from '../directory/directory';
import type { AzurePrincipalType, AzureRbac } from '../azure/azure-rbac';
import { AccessNotConfirmedError, type AccessProvider, type AccessTarget } from './access-provider';
import { normalizeAzureScope } from './resource';

/** ARM's principalType for a directory principal; ARM checks it against the directory (`PrincipalTypeMismatch`). */
const ARM_PRINCIPAL_TYPES: Partial<Record<PrincipalType, AzurePrincipalType>> = {
  user: 'User',
  group: 'Group',
  servicePrincipal: 'ServicePrincipal',
};

export function createAzureRoleAccessProvider(
  rbac: AzureRbac,
  directory: Pick<Directory, 'getPrincipal'>,
): AccessProvider {
  /** The principals holding `role` by an assignment made at exactly `scope` (not inherited, not below). */
  const holdersAt = async (scope: string, role: string, principalId?: string): Promise<string[]> => {
    const normalized = normalizeAzureScope(scope);
    const assignments = await rbac.listRoleAssignments({
      scope,
      atScope: true,
      roleDefinitionId: role.toLowerCase(),
      ...(principalId !== undefined && { principalId }),
    });
    return [
      ...new Set(
        assignments
          .filter(
            (a) =>
              normalizeAzureScope(a.scope) === normalized &&
              a.roleDefinitionId.toLowerCase() === role.toLowerCase(),
          )
          .map((a) => a.principalId.toLowerCase()),
      ),
    ];
  };
  const isHeld = async (t: AccessTarget): Promise<boolean> =>
    (await holdersAt(t.resourceId, t.role, t.principalId)).includes(t.principalId.toLowerCase());
  return {
    async grant(t) {
      const principal = await directory.getPrincipal(t.principalId);
      const principalType = principal && ARM_PRINCIPAL_TYPES[principal.type];
      if (!principalType) {
        throw new Error(
          `${t.principalId} is not a user, group or service principal of the directory: it can't be assigned an Azure role`,
        );
      }
      await rbac.createRoleAssignment({
        scope: t.resourceId,
        roleDefinitionId: t.role.toLowerCase(),
        principalId: t.principalId,
        principalType,
      });
      // Confirm: a grant isn't done until ARM lists it at the scope.
      if (!(await isHeld(t))) {
        throw new AccessNotConfirmedError(
          `ARM does not show ${t.principalId} holding role ${t.role} at ${t.resourceId} yet`,
        );
      }
    },
    async revoke(t) {
      await rbac.deleteRoleAssignment({
        scope: t.resourceId,
        roleDefinitionId: t.role.toLowerCase(),
        principalId: t.principalId,
      });
      if (await isHeld(t)) {
        throw new AccessNotConfirmedError(
          `ARM still shows ${t.principalId} holding role ${t.role} at ${t.resourceId}`,
        );
      }
    },
    verify: isHeld,
    listHolders: (resourceId, role) => holdersAt(resourceId, role),
  };
}
