/**
 * Graph's shapes of role settings: `unifiedRoleManagementPolicy`, its rules, `unifiedRoleManagementPolicyAssignment`,
 * and what `$select` and `$expand` may ask of them (`rules`, `effectiveRules`, `policy`, with `$select` inside).
 */
import { shapeAll, type Expansion, type ODataResource } from '../../http/odata-shape';
import { policyAssignmentId, type PolicyDocument } from '../domain/policy';
import type { PolicyRule } from '../domain/rules';

export function policyView(policy: PolicyDocument): Record<string, unknown> {
  return {
    id: policy.id,
    displayName: policy.displayName,
    description: policy.description,
    isOrganizationDefault: policy.isOrganizationDefault,
    scopeId: policy.scopeId,
    scopeType: policy.scopeType,
    lastModifiedDateTime: policy.lastModifiedDateTime,
    lastModifiedBy: policy.lastModifiedBy,
  };
}

export function ruleView(rule: PolicyRule): Record<string, unknown> {
  return { ...rule };
}

export function policyAssignmentView(policy: PolicyDocument): Record<string, unknown> {
  return {
    id: policyAssignmentId(policy),
    policyId: policy.id,
    scopeId: policy.scopeId,
    scopeType: policy.scopeType,
    roleDefinitionId: policy.roleDefinitionId,
  };
}

/** Every property of any rule type (`$select` inside `rules(...)`; a rule answers those it has). */
const RULE_PROPERTIES = [
  'id',
  'target',
  'isExpirationRequired',
  'maximumDuration',
  'enabledRules',
  'setting',
  'isEnabled',
  'claimValue',
  'notificationType',
  'recipientType',
  'notificationLevel',
  'isDefaultRecipientsEnabled',
  'notificationRecipients',
] as const;

/** A policy's rules; pimflow's policies inherit nothing, so its effective rules are its rules. */
const rules: Expansion<PolicyDocument> = {
  properties: RULE_PROPERTIES,
  load: async () => (policy) => policy.rules.map(ruleView),
};

export const POLICY_RESOURCE: ODataResource<PolicyDocument> = {
  view: policyView,
  properties: [
    'id',
    'displayName',
    'description',
    'isOrganizationDefault',
    'scopeId',
    'scopeType',
    'lastModifiedDateTime',
    'lastModifiedBy',
  ],
  expand: { rules, effectiveRules: rules },
};

export const POLICY_ASSIGNMENT_RESOURCE: ODataResource<PolicyDocument> = {
  view: policyAssignmentView,
  properties: ['id', 'policyId', 'scopeId', 'scopeType', 'roleDefinitionId'],
  expand: {
    // An assignment's policy is the document itself: `policy($select=...;$expand=rules)` shapes it as a policy.
    policy: {
      properties: POLICY_RESOURCE.properties,
      expand: POLICY_RESOURCE.expand,
      async load(items, nested) {
        const shaped = await shapeAll(items, POLICY_RESOURCE, nested);
        return (policy) => shaped[items.indexOf(policy)] ?? null;
      },
    },
  },
};
