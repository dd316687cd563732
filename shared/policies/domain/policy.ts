/**
 * A role management policy as pimflow stores and serves it: one per (group, role), Graph's
 * `unifiedRoleManagementPolicy` with its 17 rules.
 *
 * A group's policy ids are derived from the managed-group document (`Group_{groupId}_{guid}`, the guid a hash of
 * group, role and `managedSince`): creating them is idempotent, they can be found without a query, and a policy
 * left behind by an interrupted removal never belongs to a later management of the same group.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  groupRoleSchema,
  type GroupRole,
  type ManagedGroup,
} from '../../managed-groups/domain/managed-group';
import { defaultRules, policyRuleSchema, RULE_IDS } from './rules';

export const policyDocumentSchema = z.object({
  /** `Group_{groupId}_{guid}`, as Graph names group policies. */
  id: z.string().regex(/^Group_[0-9a-f-]{36}_[0-9a-f-]{36}$/),
  /** The group's object id; the partition key. */
  scopeId: z.guid(),
  scopeType: z.literal('Group'),
  /** Which role of the group the policy governs (`member` or `owner`): the policy assignment's roleDefinitionId. */
  roleDefinitionId: groupRoleSchema,
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
});
export type PolicyDocument = z.infer<typeof policyDocumentSchema>;

const GUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const POLICY_ID = new RegExp(`^Group_(${GUID})_(${GUID})$`);

/** The group a policy id names, or undefined if it isn't a group policy id. */
export function groupIdOfPolicy(policyId: string): string | undefined {
  return POLICY_ID.exec(policyId)?.[1]?.toLowerCase();
}

/** The id of a managed group's policy for one role (deterministic; see the file comment). */
export function policyIdFor(group: Pick<ManagedGroup, 'groupId' | 'managedSince'>, role: GroupRole): string {
  const hash = createHash('sha256').update(`${group.groupId}|${role}|${group.managedSince}`).digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50; // name-based (v5-style) UUID layout
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  const guid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return `Group_${group.groupId}_${guid}`;
}

/** Graph's policy assignment id: `Group_{groupId}_{policyId}_{roleDefinitionId}`. */
export function policyAssignmentId(groupId: string, policyId: string, role: GroupRole): string {
  return `Group_${groupId}_${policyId}_${role}`;
}

export function defaultPolicy(group: ManagedGroup, role: GroupRole, now: Date): PolicyDocument {
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
