/** Graph's shapes of role settings: `unifiedRoleManagementPolicy`, its rules, `unifiedRoleManagementPolicyAssignment`. */
import { policyAssignmentId, type PolicyDocument } from '../domain/policy';
import type { PolicyRule } from '../domain/rules';

export function policyView(policy: PolicyDocument, expandRules: boolean): Record<string, unknown> {
  return {
    id: policy.id,
    displayName: policy.displayName,
    description: policy.description,
    isOrganizationDefault: policy.isOrganizationDefault,
    scopeId: policy.scopeId,
    scopeType: policy.scopeType,
    lastModifiedDateTime: policy.lastModifiedDateTime,
    lastModifiedBy: policy.lastModifiedBy,
    ...(expandRules && { rules: policy.rules.map(ruleView) }),
  };
}

export function ruleView(rule: PolicyRule): Record<string, unknown> {
  return { ...rule };
}

export function policyAssignmentView(
  policy: PolicyDocument,
  expand: 'none' | 'policy' | 'policyWithRules',
): Record<string, unknown> {
  return {
    id: policyAssignmentId(policy),
    policyId: policy.id,
    scopeId: policy.scopeId,
    scopeType: policy.scopeType,
    roleDefinitionId: policy.roleDefinitionId,
    ...(expand !== 'none' && { policy: policyView(policy, expand === 'policyWithRules') }),
  };
}
