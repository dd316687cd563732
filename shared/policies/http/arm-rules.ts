/**
 * Role management policy rules in ARM's JSON (RoleManagementPolicyRule, api-version 2020-10-01) and back: the
 * rules pimflow stores are Graph's (`@odata.type: '#microsoft.graph.unifiedRoleManagementPolicyExpirationRule'`,
 * user sets `#microsoft.graph.singleUser` / `groupMembers`); ARM writes `ruleType:
 * 'RoleManagementPolicyExpirationRule'` and user sets `{ userType: 'User' | 'Group', id }`. The settings' names are
 * the same. Pure.
 */
import { RULE_TYPES, USER_SET_TYPES, type PolicyRule, type UserSet } from '../domain/rules';

/** ARM's `ruleType` for each Graph rule type. */
const ARM_RULE_TYPES: Record<string, string> = {
  [RULE_TYPES.expiration]: 'RoleManagementPolicyExpirationRule',
  [RULE_TYPES.enablement]: 'RoleManagementPolicyEnablementRule',
  [RULE_TYPES.approval]: 'RoleManagementPolicyApprovalRule',
  [RULE_TYPES.authenticationContext]: 'RoleManagementPolicyAuthenticationContextRule',
  [RULE_TYPES.notification]: 'RoleManagementPolicyNotificationRule',
};
const GRAPH_RULE_TYPES = Object.fromEntries(
  Object.entries(ARM_RULE_TYPES).map(([graph, arm]) => [arm.toLowerCase(), graph]),
);

export interface ArmUserSet {
  userType: 'User' | 'Group';
  isBackup: boolean;
  id: string;
  description: string | null;
}

function armUserSet(u: UserSet): ArmUserSet {
  const id = '@odata.type' in u && u['@odata.type'] === USER_SET_TYPES.singleUser ? u.userId : u.groupId;
  return {
    userType: u['@odata.type'] === USER_SET_TYPES.singleUser ? 'User' : 'Group',
    isBackup: u.isBackup ?? false,
    id,
    description: u.description ?? null,
  };
}

function graphUserSet(u: unknown): unknown {
  if (u === null || typeof u !== 'object') return u;
  const { userType, id, isBackup, description } = u as Record<string, unknown>;
  const type = typeof userType === 'string' ? userType.toLowerCase() : userType;
  if (type === 'user')
    return { '@odata.type': USER_SET_TYPES.singleUser, userId: id, isBackup: isBackup ?? false, description };
  if (type === 'group')
    return {
      '@odata.type': USER_SET_TYPES.groupMembers,
      groupId: id,
      isBackup: isBackup ?? false,
      description,
    };
  // Anything else is left for the rule's validation to refuse, named as sent.
  return u;
}

/** A stored rule as ARM shows it. */
export function armRule(rule: PolicyRule): Record<string, unknown> {
  const { '@odata.type': type, target, ...rest } = rule;
  const shown: Record<string, unknown> = {
    ...rest,
    ruleType: ARM_RULE_TYPES[type],
    target: { ...target, targetObjects: null },
  };
  if (rule['@odata.type'] === RULE_TYPES.approval) {
    shown.setting = {
      ...rule.setting,
      approvalStages: rule.setting.approvalStages.map((s) => ({
        ...s,
        primaryApprovers: s.primaryApprovers.map(armUserSet),
        escalationApprovers: s.escalationApprovers.map(armUserSet),
      })),
    };
  }
  return shown;
}

/**
 * An ARM rule from a PATCH as the Graph rule body PolicyService validates and applies: `ruleType` → `@odata.type`,
 * user sets → Graph's, `target.targetObjects` (always null in PIM) dropped. An unknown `ruleType` is passed on as
 * an unknown `@odata.type` for the rule's validation to refuse.
 */
export function graphRuleBody(rule: Record<string, unknown>): Record<string, unknown> {
  const { ruleType, target, setting, ...rest } = rule;
  const body: Record<string, unknown> = {
    ...rest,
    '@odata.type':
      typeof ruleType === 'string' ? (GRAPH_RULE_TYPES[ruleType.toLowerCase()] ?? ruleType) : ruleType,
  };
  if (target && typeof target === 'object') {
    const { targetObjects: _objects, ...t } = target as Record<string, unknown>;
    body.target = t;
  }
  if (setting && typeof setting === 'object') {
    const s = setting as Record<string, unknown>;
    body.setting = {
      ...s,
      ...(Array.isArray(s.approvalStages)
        ? {
            approvalStages: (s.approvalStages as unknown[]).map((stage) => {
              if (stage === null || typeof stage !== 'object') return stage;
              const st = stage as Record<string, unknown>;
              return {
                ...st,
                ...(Array.isArray(st.primaryApprovers)
                  ? { primaryApprovers: st.primaryApprovers.map(graphUserSet) }
                  : {}),
                ...(Array.isArray(st.escalationApprovers)
                  ? { escalationApprovers: st.escalationApprovers.map(graphUserSet) }
                  : {}),
              };
            }),
          }
        : {}),
    };
  }
  return body;
}
