/** The API's side of managed roles: the view of a role, and the status of each refusal. */
import type { HttpResponseInit } from '@azure/functions';
import { problem } from '../../http/problem';
import { directoryRolePolicyIdFor } from '../../policies/domain/policy';
import type { ManagedRole } from '../domain/managed-role';
import type { RoleManageRefusal } from '../managed-roles';

const STATUS: Record<RoleManageRefusal['reason'], number> = {
  notInDirectory: 404,
  notManaged: 404,
  disabled: 400,
  alreadyManaged: 409,
};

export function roleRefusalResponse(refusal: RoleManageRefusal): HttpResponseInit {
  return problem(STATUS[refusal.reason], refusal.detail);
}

/**
 * The API's view of a managed role; the baseline only when asked (the single-role GET). `policyId` is the role's
 * role management policy (`DirectoryRole_{tenantId}_{guid}`), for `policies/roleManagementPolicies/{policyId}`.
 */
export function managedRoleView(
  role: ManagedRole,
  tenantId: string,
  withBaseline: boolean,
): Record<string, unknown> {
  return {
    id: role.roleDefinitionId,
    roleDefinitionId: role.roleDefinitionId,
    displayName: role.displayName,
    managedSince: role.managedSince,
    managedBy: role.managedBy,
    removeAssignmentsMadeOutsidePim: role.settings.removeAssignmentsMadeOutsidePim ?? false,
    policyId: directoryRolePolicyIdFor(tenantId, role),
    baselineTakenAt: role.baselineTakenAt,
    ...(withBaseline && { baselineAssignments: role.baselineAssignments }),
  };
}
