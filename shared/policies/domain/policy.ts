/**
 * A role management policy as pimflow stores and serves it: Graph's `unifiedRoleManagementPolicy` with its 17
 * rules, one per (group, role) of a managed group, one per managed Microsoft Entra directory role, and one per
 * (managed Azure scope, Azure role), created when first needed.
 *
 * Policy ids are derived from the managed-group or managed-role document (the guid a hash of resource, role and
 * `managedSince`): creating them is idempotent, a group's can be found without a query, and a policy left behind by
 * an interrupted removal never belongs to a later management of the same group or role. Graph names them
 * `Group_{groupId}_{guid}` and `DirectoryRole_{tenantId}_{guid}`.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  groupRoleSchema,
  type GroupRole,
  type ManagedGroup,
} from '../../managed-groups/domain/managed-group';
import type { ManagedRole } from '../../managed-roles/domain/managed-role';
import { defaultAzureRoleRules, defaultRules, policyRuleSchema, RULE_IDS } from './rules';

const common = {
  displayName: z.string(),
  description: z.string(),
  isOrganizationDefault: z.boolean(),
  lastModifiedDateTime: z.iso.datetime(),
  lastModifiedBy: z.object({ id: z.string(), displayName: z.string().nullable() }).nullable(),
  rules: z
    .array(policyRuleSchema)
    .refine(
      (rules) => rules.length === RULE_IDS.length && RULE_IDS.every((id) => rules.some((r) => r.id === id)),
      { message: `a policy holds exactly the ${RULE_IDS.length} predefined rules` },
    ),
};

export const groupPolicySchema = z.object({
  /** `Group_{groupId}_{guid}`, as Graph names group policies. */
  id: z.string().regex(/^Group_[0-9a-f-]{36}_[0-9a-f-]{36}$/),
  /** The group's object id; the partition key. */
  scopeId: z.guid(),
  scopeType: z.literal('Group'),
  /** Which role of the group the policy governs (`member` or `owner`): the policy assignment's roleDefinitionId. */
  roleDefinitionId: groupRoleSchema,
  ...common,
});

export const directoryRolePolicySchema = z.object({
  /** `DirectoryRole_{tenantId}_{guid}`, as Graph names the policies of Microsoft Entra roles. */
  id: z.string().regex(/^DirectoryRole_[0-9a-f-]{36}_[0-9a-f-]{36}$/),
  /** Always the whole directory (`/`; the partition key): Graph keeps a role's policy there, whatever the scope. */
  scopeId: z.literal('/'),
  scopeType: z.literal('DirectoryRole'),
  /** The role definition (lowercase) the policy governs: the policy assignment's roleDefinitionId. */
  roleDefinitionId: z.guid(),
  ...common,
});

export const azureRolePolicySchema = z.object({
  /** A GUID, as ARM names role management policies (`{scope}/providers/Microsoft.Authorization/roleManagementPolicies/{id}`). */
  id: z.guid(),
  /** The governed (managed) ARM scope, normalized (lower case; the partition key): its roles' settings live there. */
  scopeId: z.string().min(1),
  scopeType: z.literal('AzureRole'),
  /** The Azure role definition's GUID (lower case) the policy governs. */
  roleDefinitionId: z.guid(),
  ...common,
});

export const policyDocumentSchema = z.discriminatedUnion('scopeType', [
  groupPolicySchema,
  directoryRolePolicySchema,
  azureRolePolicySchema,
]);
export type PolicyDocument = z.infer<typeof policyDocumentSchema>;
export type GroupPolicyDocument = z.infer<typeof groupPolicySchema>;
export type DirectoryRolePolicyDocument = z.infer<typeof directoryRolePolicySchema>;
export type AzureRolePolicyDocument = z.infer<typeof azureRolePolicySchema>;
export type PolicyScopeType = PolicyDocument['scopeType'];

/** The scope of the policy being changed: what rule checks need to know of it. */
export interface PolicyScope {
  scopeId: string;
  scopeType: PolicyScopeType;
}

const GUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const POLICY_ID = new RegExp(`^Group_(${GUID})_(${GUID})$`);
const DIRECTORY_ROLE_POLICY_ID = new RegExp(`^DirectoryRole_(${GUID})_(${GUID})$`);

/** The group a policy id names, or undefined if it isn't a group policy id. */
export function groupIdOfPolicy(policyId: string): string | undefined {
  return POLICY_ID.exec(policyId)?.[1]?.toLowerCase();
}

/** The tenant a directory role's policy id names, or undefined if it isn't one. */
export function tenantIdOfDirectoryRolePolicy(policyId: string): string | undefined {
  return DIRECTORY_ROLE_POLICY_ID.exec(policyId)?.[1]?.toLowerCase();
}

/** A name-based (v5-style) GUID from a string: the same input, the same GUID. */
function nameBasedGuid(name: string): string {
  const hash = createHash('sha256').update(name).digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The id of a managed group's policy for one role (deterministic; see the file comment). */
export function policyIdFor(group: Pick<ManagedGroup, 'groupId' | 'managedSince'>, role: GroupRole): string {
  return `Group_${group.groupId}_${nameBasedGuid(`${group.groupId}|${role}|${group.managedSince}`)}`;
}

/** The id of a managed directory role's policy (deterministic; see the file comment). */
export function directoryRolePolicyIdFor(
  tenantId: string,
  role: Pick<ManagedRole, 'roleDefinitionId' | 'managedSince'>,
): string {
  const roleId = role.roleDefinitionId.toLowerCase();
  return `DirectoryRole_${tenantId.toLowerCase()}_${nameBasedGuid(`DirectoryRole|${roleId}|${role.managedSince}`)}`;
}

/**
 * The id of an Azure role's policy at a managed scope (deterministic; see the file comment): a GUID of the governed
 * scope, the role and when the scope came under management.
 */
export function azureRolePolicyIdFor(
  governed: { scope: string; managedSince: string },
  roleDefinitionId: string,
): string {
  return nameBasedGuid(
    `AzureRole|${governed.scope.toLowerCase()}|${roleDefinitionId.toLowerCase()}|${governed.managedSince}`,
  );
}

/**
 * Graph's policy assignment id: the policy id and the role it governs joined by an underscore, for a group
 * `Group_{groupId}_{guid}_{member|owner}`, for a directory role `DirectoryRole_{tenantId}_{guid}_{roleDefinitionId}`
 * (as in Graph's examples). Computed when served, never stored.
 */
export function policyAssignmentId(policy: Pick<PolicyDocument, 'id' | 'roleDefinitionId'>): string {
  return `${policy.id}_${policy.roleDefinitionId}`;
}

export function defaultPolicy(group: ManagedGroup, role: GroupRole, now: Date): GroupPolicyDocument {
  return {
    id: policyIdFor(group, role),
    scopeId: group.groupId,
    scopeType: 'Group',
    roleDefinitionId: role,
    // Graph's group policies are all named "Group"; which role a policy governs is its assignment's business.
    displayName: 'Group',
    description: 'Group',
    isOrganizationDefault: false,
    lastModifiedDateTime: now.toISOString(),
    lastModifiedBy: null,
    rules: defaultRules(),
  };
}

/** Entra's defaults for a role (seed 002's tables): the same rules as a group role's defaults. */
export function defaultDirectoryRolePolicy(
  tenantId: string,
  role: ManagedRole,
  now: Date,
): DirectoryRolePolicyDocument {
  return {
    id: directoryRolePolicyIdFor(tenantId, role),
    scopeId: '/',
    scopeType: 'DirectoryRole',
    roleDefinitionId: role.roleDefinitionId.toLowerCase(),
    // Graph names every directory role's policy "DirectoryRole", as it names group policies "Group".
    displayName: 'DirectoryRole',
    description: 'DirectoryRole',
    isOrganizationDefault: false,
    lastModifiedDateTime: now.toISOString(),
    lastModifiedBy: null,
    rules: defaultRules(),
  };
}

/**
 * PIM's defaults for an Azure resource role (rules.ts, `defaultAzureRoleRules`) at a managed scope; ARM names
 * these policies by GUID, with the scope and role in the policy's properties.
 */
export function defaultAzureRolePolicy(
  governed: { scope: string; managedSince: string },
  roleDefinitionId: string,
  now: Date,
): AzureRolePolicyDocument {
  const role = roleDefinitionId.toLowerCase();
  return {
    id: azureRolePolicyIdFor(governed, role),
    scopeId: governed.scope.toLowerCase(),
    scopeType: 'AzureRole',
    roleDefinitionId: role,
    displayName: 'Default',
    description: 'Default',
    isOrganizationDefault: false,
    lastModifiedDateTime: now.toISOString(),
    lastModifiedBy: null,
    rules: defaultAzureRoleRules(),
  };
}
