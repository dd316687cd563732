/**
 * Azure role settings as ARM shapes them (api-version 2020-10-01): `roleManagementPolicies` (GET list at a managed
 * scope, GET {policyGuid}, PATCH {policyGuid} `{ properties: { rules: [...] } }` → 200 with the policy) and
 * `roleManagementPolicyAssignments` (GET list at a scope, `$filter=roleDefinitionId eq '{id}'` — the policy in
 * force there, the governing scope's — and GET `{policyGuid}_{roleGuid}`), over the core's Azure role policies
 * (../azure-role-policies.ts). Rules in ARM's JSON (arm-rules.ts). Errors as problems naming ARM's code.
 */
import type { HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import { normalizeAzureScope } from '../../access/resource';
import { APP_ROLES, type CallerPrincipal } from '../../auth/principal';
import type { AzureRbac } from '../../azure/azure-rbac';
import { problem } from '../../http/problem';
import type { Stored } from '../../storage/stored';
import type { AzureRolePolicies } from '../azure-role-policies';
import type { PolicyDocument } from '../domain/policy';
import { armRule, graphRuleBody } from './arm-rules';

export interface ArmPolicyDeps {
  azurePolicies: AzureRolePolicies;
  azureRbac: Pick<AzureRbac, 'getScope' | 'getRoleDefinition'>;
  caller: CallerPrincipal;
  /** Whether the caller holds the role (eligible or active) at, above or below the scope: they may read its settings. */
  holdsRole(scope: string, roleDefinitionId: string): Promise<boolean>;
}

const POLICIES = 'roleManagementPolicies';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const canReadAll = (c: CallerPrincipal) =>
  c.roles.includes(APP_ROLES.admin) || c.roles.includes(APP_ROLES.auditor);

const forbidden = (caller: CallerPrincipal, action: string, scope: string) =>
  problem(
    403,
    `The client '${caller.objectId}' does not have authorization to perform action 'Microsoft.Authorization/${action}' over scope '${scope || '/'}': ${action.endsWith('write') ? 'only admins (PimFlow.Admin) change Azure role settings' : 'admins, auditors and holders of the role read its settings'}`,
    { code: 'AuthorizationFailed' },
  );

const notFound = (what: string) =>
  problem(404, `${what} was not found`, { code: 'RoleManagementPolicyNotFound' });

interface Names {
  scope: { id: string; displayName: string; type: string };
  role: { id: string; displayName: string | null; type: string | null };
}

const SCOPE_TYPES = {
  managementGroup: 'managementgroup',
  subscription: 'subscription',
  resourceGroup: 'resourcegroup',
};

async function namesOf(deps: ArmPolicyDeps, p: Stored<PolicyDocument>): Promise<Names> {
  const [scope, role] = await Promise.all([
    deps.azureRbac.getScope(p.scopeId).catch(() => null),
    deps.azureRbac.getRoleDefinition(p.scopeId, p.roleDefinitionId).catch(() => null),
  ]);
  const scopeId = scope?.id ?? p.scopeId;
  const subscription = /^\/subscriptions\/[^/]+/i.exec(scopeId)?.[0] ?? '';
  return {
    scope: {
      id: scopeId,
      displayName: scope?.displayName ?? scopeId,
      type: scope ? (scope.kind === 'resource' ? scope.type : SCOPE_TYPES[scope.kind]) : 'unknown',
    },
    role: {
      id: `${subscription}/providers/Microsoft.Authorization/roleDefinitions/${p.roleDefinitionId}`,
      displayName: role?.roleName ?? null,
      type: role?.roleType ?? null,
    },
  };
}

const policyArmId = (scope: string, id: string) =>
  `${scope}/providers/Microsoft.Authorization/${POLICIES}/${id}`;

export function armPolicyView(p: Stored<PolicyDocument>, names: Names): Record<string, unknown> {
  const rules = p.rules.map(armRule);
  return {
    id: policyArmId(names.scope.id, p.id),
    name: p.id,
    type: 'Microsoft.Authorization/RoleManagementPolicies',
    properties: {
      scope: names.scope.id,
      displayName: p.displayName,
      description: p.description,
      isOrganizationDefault: p.isOrganizationDefault,
      lastModifiedBy: p.lastModifiedBy
        ? { id: p.lastModifiedBy.id, displayName: p.lastModifiedBy.displayName, type: 'User', email: null }
        : null,
      lastModifiedDateTime: p.lastModifiedDateTime,
      rules,
      effectiveRules: rules,
      policyProperties: { scope: names.scope },
    },
  };
}

/** The policy's assignment at the scope it governs: `{policyGuid}_{roleGuid}`. */
export function armPolicyAssignmentView(p: Stored<PolicyDocument>, names: Names): Record<string, unknown> {
  const name = `${p.id}_${p.roleDefinitionId}`;
  return {
    id: `${names.scope.id}/providers/Microsoft.Authorization/roleManagementPolicyAssignments/${name}`,
    name,
    type: 'Microsoft.Authorization/RoleManagementPolicyAssignment',
    properties: {
      scope: names.scope.id,
      roleDefinitionId: names.role.id,
      policyId: policyArmId(names.scope.id, p.id),
      effectiveRules: p.rules.map(armRule),
      policyAssignmentProperties: {
        scope: names.scope,
        roleDefinition: names.role,
        policy: {
          id: policyArmId(names.scope.id, p.id),
          lastModifiedBy: p.lastModifiedBy
            ? {
                id: p.lastModifiedBy.id,
                displayName: p.lastModifiedBy.displayName,
                type: 'User',
                email: null,
              }
            : null,
          lastModifiedDateTime: p.lastModifiedDateTime,
        },
      },
    },
  };
}

export async function listArmPolicies(deps: ArmPolicyDeps, scope: string, assignments: boolean) {
  const action = assignments ? 'roleManagementPolicyAssignments/read' : 'roleManagementPolicies/read';
  if (!canReadAll(deps.caller)) return forbidden(deps.caller, action, scope);
  const policies = await deps.azurePolicies.listForScope(scope);
  const value = await Promise.all(
    policies.map(async (p) => {
      const names = await namesOf(deps, p);
      return assignments ? armPolicyAssignmentView(p, names) : armPolicyView(p, names);
    }),
  );
  return { jsonBody: { value } };
}

/** `$filter=roleDefinitionId eq '...'`: the policy in force for the role at the scope (the governing scope's). */
export async function armPolicyAssignmentForRole(
  deps: ArmPolicyDeps,
  scope: string,
  roleDefinitionGuid: string,
): Promise<HttpResponseInit> {
  if (!canReadAll(deps.caller) && !(await deps.holdsRole(scope, roleDefinitionGuid)))
    return forbidden(deps.caller, 'roleManagementPolicyAssignments/read', scope);
  const found = await deps.azurePolicies.get(scope, roleDefinitionGuid);
  if (!found)
    return problem(400, `The scope '${scope}' is not under management (nor is any scope above it)`, {
      code: 'ScopeNotManaged',
    });
  return { jsonBody: { value: [armPolicyAssignmentView(found.policy, await namesOf(deps, found.policy))] } };
}

export async function getArmPolicyAssignment(deps: ArmPolicyDeps, scope: string, name: string) {
  const [policyId = '', role = ''] = name.split('_');
  const policy = GUID.test(policyId) ? await deps.azurePolicies.findById(scope, policyId) : undefined;
  if (!policy || policy.roleDefinitionId !== role.toLowerCase())
    return notFound(`The policy assignment '${name}'`);
  if (!canReadAll(deps.caller) && !(await deps.holdsRole(scope, policy.roleDefinitionId)))
    return forbidden(deps.caller, 'roleManagementPolicyAssignments/read', scope);
  return { jsonBody: armPolicyAssignmentView(policy, await namesOf(deps, policy)) };
}

export async function getArmPolicy(deps: ArmPolicyDeps, scope: string, id: string) {
  const policy = GUID.test(id) ? await deps.azurePolicies.findById(scope, id) : undefined;
  if (!policy) return notFound(`The role management policy '${id}'`);
  if (!canReadAll(deps.caller) && !(await deps.holdsRole(scope, policy.roleDefinitionId)))
    return forbidden(deps.caller, 'roleManagementPolicies/read', scope);
  return { jsonBody: armPolicyView(policy, await namesOf(deps, policy)) };
}

const patchSchema = z.object({
  properties: z.object({
    rules: z
      .array(z.looseObject({ id: z.string().min(1).max(100) }))
      .min(1, { message: 'name at least one rule' })
      .max(20),
  }),
});

/** PATCH the policy's rules (each as PolicyService's rule PATCH, validated and audited): 200 with the policy. */
export async function patchArmPolicy(
  deps: ArmPolicyDeps,
  scope: string,
  id: string,
  body: unknown,
): Promise<HttpResponseInit> {
  if (!deps.caller.roles.includes(APP_ROLES.admin))
    return forbidden(deps.caller, 'roleManagementPolicies/write', scope);
  const policy = GUID.test(id) ? await deps.azurePolicies.findById(scope, id) : undefined;
  if (!policy) return notFound(`The role management policy '${id}'`);
  const parsed = patchSchema.safeParse(body);
  if (!parsed.success)
    return problem(
      400,
      `Invalid body: ${parsed.error.issues.map((i) => `${['properties', ...i.path.map(String)].join('.')}: ${i.message}`).join('; ')}`,
      { code: 'InvalidRequestContent' },
    );
  for (const rule of parsed.data.properties.rules) {
    const result = await deps.azurePolicies.patchRule(
      normalizeAzureScope(scope),
      policy.roleDefinitionId,
      rule.id,
      graphRuleBody(rule),
      deps.caller,
    );
    if (result.outcome === 'notFound') return notFound(result.detail);
    if (result.outcome === 'invalid')
      return problem(400, `The rule '${rule.id}' is not valid: ${result.detail}`, {
        code: 'InvalidRoleManagementPolicyRule',
      });
  }
  const updated = (await deps.azurePolicies.findById(scope, id)) ?? policy;
  return { jsonBody: armPolicyView(updated, await namesOf(deps, updated)) };
}
