/** Policy rules in ARM's JSON and back (pure). */
import { describe, expect, it } from 'vitest';
import { armRule, graphRuleBody } from '../../shared/policies/http/arm-rules';
import {
  defaultRules,
  RULE_TYPES,
  USER_SET_TYPES,
  type PolicyRule,
} from '../../shared/policies/domain/rules';

describe('ARM policy rules', () => {
  it('shows ruleType for @odata.type and round-trips every default rule', () => {
    for (const rule of defaultRules()) {
      const shown = armRule(rule);
      expect(shown['@odata.type']).toBeUndefined();
      expect(shown.ruleType).toMatch(/^RoleManagementPolicy[A-Za-z]+Rule$/);
      expect(shown.target).toMatchObject({ ...rule.target, targetObjects: null });
      expect(graphRuleBody(shown)).toEqual(rule);
    }
  });

  it("maps user sets: ARM's User and Group to Graph's singleUser and groupMembers", () => {
    const body = graphRuleBody({
      id: 'Approval_EndUser_Assignment',
      ruleType: 'RoleManagementPolicyApprovalRule',
      target: { caller: 'EndUser', operations: ['All'], level: 'Assignment', targetObjects: null },
      setting: {
        approvalStages: [
          {
            primaryApprovers: [
              { userType: 'User', id: 'u1', isBackup: false },
              { userType: 'Group', id: 'g1', isBackup: true },
            ],
          },
        ],
      },
    });
    expect(body['@odata.type']).toBe(RULE_TYPES.approval);
    expect(body.target).toEqual({ caller: 'EndUser', operations: ['All'], level: 'Assignment' });
    const stages = (body.setting as { approvalStages: { primaryApprovers: unknown[] }[] }).approvalStages;
    expect(stages[0]?.primaryApprovers).toEqual([
      { '@odata.type': USER_SET_TYPES.singleUser, userId: 'u1', isBackup: false, description: undefined },
      { '@odata.type': USER_SET_TYPES.groupMembers, groupId: 'g1', isBackup: true, description: undefined },
    ]);
    const rule = defaultRules().find((r) => r.id === 'Approval_EndUser_Assignment') as PolicyRule;
    expect(armRule(rule).ruleType).toBe('RoleManagementPolicyApprovalRule');
  });
});
