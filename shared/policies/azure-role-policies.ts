/**
 * The role settings of Azure roles: one policy per (managed scope, role), created with PIM's defaults for Azure
 * resource roles when first needed, kept in the managed scope's partition. A scope below a managed one uses the
 * governing scope's policy (`findGoverningScope`), as ARM's policies at a scope apply below it. Two faces: the
 * RoleSettingsSource the request core reads (a scope no managed scope governs throws AzureScopeNotManagedError,
 * a 400 at submit), and `AzureRolePolicies` for the ARM-shaped roleManagementPolicies API (get, list, patch a rule
 * with PolicyService's rule patching).
 */
import { azureScopeKind, normalizeAzureScope } from '../access/resource';
import type { CallerPrincipal } from '../auth/principal';
import type { AzureRbac } from '../azure/azure-rbac';
import type { Clock } from '../clock';
import type { ManagedAzureScope } from '../managed-azure/domain/managed-scope';
import { findGoverningScope, type GoverningScopeDeps } from '../managed-azure/managed-azure-scopes';
import type { Stored } from '../storage/stored';
import type { PolicyStore } from './adapters/policy-store';
import { azureRolePolicyIdFor, type PolicyDocument } from './domain/policy';
import { toRoleSettings } from './domain/policy-role-settings';
import type { RoleSettings, RoleSettingsSource } from './domain/role-settings';
import type { PatchRuleResult, PolicyService } from './policy-service';

/** No managed scope governs the scope: no settings, so no request. */
export class AzureScopeNotManagedError extends Error {
  override name = 'AzureScopeNotManagedError';
  constructor(readonly scope: string) {
    super(`The Azure scope ${scope} is not under management (nor is any scope above it)`);
  }
}

/** ARM has no such role definition at the scope. */
export class AzureRoleNotFoundError extends Error {
  override name = 'AzureRoleNotFoundError';
  constructor(
    readonly scope: string,
    readonly roleDefinitionId: string,
  ) {
    super(`Azure Resource Manager has no role definition ${roleDefinitionId} at ${scope}`);
  }
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface AzureRolePolicyDeps extends GoverningScopeDeps {
  /** To create a policy only for a role ARM has (not for any GUID someone asks about). */
  azureRbac: GoverningScopeDeps['azureRbac'] & Pick<AzureRbac, 'getRoleDefinition'>;
  policyStore: PolicyStore;
  clock: Clock;
}

/** A policy of an Azure role at a governed scope. */
export interface AzureRolePolicy {
  /** The managed scope whose policy it is (the scope asked about, or one above it). */
  governingScope: Stored<ManagedAzureScope>;
  policy: Stored<PolicyDocument>;
}

/** A policy found, or what is missing: a managed scope governing the scope, or the role definition in ARM. */
export type ResolvedAzureRolePolicy = AzureRolePolicy | { missing: 'scope' | 'role' };

export interface AzureRolePolicies {
  /** As `get`, saying what is missing when there is no policy. */
  resolve(scope: string, roleDefinitionId: string): Promise<ResolvedAzureRolePolicy>;
  /**
   * The policy in force for `role` at `scope` (created on first use); undefined when no managed scope governs it, or
   * when ARM has no such role definition there.
   */
  get(scope: string, roleDefinitionId: string): Promise<AzureRolePolicy | undefined>;
  /** The policies stored at a managed scope (those of roles someone has asked about); [] when it isn't managed. */
  listForScope(scope: string): Promise<Stored<PolicyDocument>[]>;
  /** A policy by its GUID at a managed scope, if it is the current policy of one of its roles. */
  findById(scope: string, policyId: string): Promise<Stored<PolicyDocument> | undefined>;
  /** PolicyService's rule PATCH (validated, at the policy's ETag, audited) on the policy of (scope, role). */
  patchRule(
    scope: string,
    roleDefinitionId: string,
    ruleId: string,
    body: unknown,
    caller: CallerPrincipal,
  ): Promise<PatchRuleResult>;
}

export function createAzureRolePolicies(
  deps: AzureRolePolicyDeps,
  policies: Pick<PolicyService, 'patchRuleOf'>,
): AzureRolePolicies {
  const resolve = async (scope: string, roleDefinitionId: string): Promise<ResolvedAzureRolePolicy> => {
    if (!GUID.test(roleDefinitionId)) return { missing: 'role' };
    const role = roleDefinitionId.toLowerCase();
    const governingScope = await findGoverningScope(deps, scope);
    if (!governingScope) return { missing: 'scope' };
    const stored = await deps.policyStore.find(
      governingScope.scope,
      azureRolePolicyIdFor(governingScope, role),
    );
    if (stored) return { governingScope, policy: stored };
    if (!(await deps.azureRbac.getRoleDefinition(governingScope.armScope, role))) return { missing: 'role' };
    const policy = await deps.policyStore.ensureForAzureRole(governingScope, role, deps.clock.now());
    return { governingScope, policy };
  };
  const get = async (scope: string, roleDefinitionId: string) => {
    const resolved = await resolve(scope, roleDefinitionId);
    return 'missing' in resolved ? undefined : resolved;
  };
  const listForScope = async (scope: string) => {
    const managed = azureScopeKind(scope) ? await deps.managedAzureScopes.findByScope(scope) : undefined;
    if (!managed) return [];
    const stored = await deps.policyStore.listAzureRolePolicies(managed.scope);
    // Policies of an earlier management period of the same scope are not this one's.
    return stored.filter((p) => p.id === azureRolePolicyIdFor(managed, p.roleDefinitionId));
  };
  return {
    resolve,
    get,
    listForScope,
    async findById(scope, policyId) {
      return (await listForScope(scope)).find((p) => p.id === policyId.toLowerCase());
    },
    async patchRule(scope, roleDefinitionId, ruleId, body, caller) {
      const found = await resolve(scope, roleDefinitionId);
      if ('missing' in found) {
        const detail =
          found.missing === 'scope'
            ? new AzureScopeNotManagedError(normalizeAzureScope(scope)).message
            : new AzureRoleNotFoundError(normalizeAzureScope(scope), roleDefinitionId).message;
        return { outcome: 'notFound', detail };
      }
      const reload = async () => (await get(scope, roleDefinitionId))?.policy;
      return policies.patchRuleOf(reload, found.policy.id, ruleId, body, caller);
    },
  };
}

/** The RoleSettingsSource of Azure roles: `resourceId` the ARM scope, `roleId` the role definition's GUID. */
export function createAzureRoleSettingsSource(
  azurePolicies: Pick<AzureRolePolicies, 'resolve'>,
): RoleSettingsSource {
  return {
    async get(scope: string, roleDefinitionId: string): Promise<RoleSettings> {
      const found = await azurePolicies.resolve(scope, roleDefinitionId);
      if ('missing' in found) {
        throw found.missing === 'scope'
          ? new AzureScopeNotManagedError(scope)
          : new AzureRoleNotFoundError(scope, roleDefinitionId);
      }
      // The settings are asked for the request's own scope (what requests store), whichever scope governs it.
      return { ...toRoleSettings(found.policy), groupId: normalizeAzureScope(scope) };
    },
  };
}
