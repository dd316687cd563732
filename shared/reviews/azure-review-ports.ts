/**
 * What reviews of Azure roles need from outside the reviews feature: Azure Resource Manager (the scope's and the
 * role's names, and who holds the role at the scope) and which managed Azure scope governs a scope (pimflow reviews
 * only roles at scopes it governs). Built once in the composition root from the AzureRbac port and the managed Azure
 * scopes.
 */
import type { AzureRbac } from '../azure/azure-rbac';

export interface AzureReviewPorts {
  rbac: Pick<AzureRbac, 'getScope' | 'getRoleDefinition' | 'listRoleAssignments'>;
  /**
   * The managed Azure scope that governs `scope` — the scope itself or the nearest managed scope above it — or null
   * when pimflow governs none of them.
   */
  findGoverningScope(scope: string): Promise<{ scope: string } | null>;
}
