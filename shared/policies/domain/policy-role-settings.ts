/**
 * A policy's Graph rules as the flat RoleSettings (role-settings.ts) the activation and assignment rules read (see
 * docs/api/role-settings.md for the mapping).
 */
import {
  defaultStageSettings,
  roleSettingsSchema,
  type ApprovalStageSettings,
  type Approver,
  type NotificationSetting,
  type RoleSettings,
} from './role-settings';
import type { PolicyDocument } from './policy';
import {
  RULE_TYPES,
  USER_SET_TYPES,
  type ApprovalRule,
  type AuthenticationContextRule,
  type EnablementRule,
  type ExpirationRule,
  type NotificationRule,
  type PolicyRule,
  type UserSet,
} from './rules';

/** The flat view of a policy's rules (see docs/api/role-settings.md for the mapping). */
export function toRoleSettings(policy: PolicyDocument): RoleSettings {
  const rule = <T extends PolicyRule>(id: string, type: T['@odata.type']): T => {
    const found = policy.rules.find((r) => r.id === id);
    if (!found || found['@odata.type'] !== type) throw new Error(`Policy ${policy.id} has no ${id} rule`);
    return found as T;
  };
  const expiration = (id: string) => rule<ExpirationRule>(id, RULE_TYPES.expiration);
  const enablement = (id: string) => rule<EnablementRule>(id, RULE_TYPES.enablement).enabledRules;
  const notification = (id: string): NotificationSetting => {
    const n = rule<NotificationRule>(id, RULE_TYPES.notification);
    return {
      level: n.notificationLevel,
      defaultRecipients: n.isDefaultRecipientsEnabled,
      additionalRecipients: n.notificationRecipients,
    };
  };
  const event = (caller: 'Admin' | 'EndUser', level: 'Eligibility' | 'Assignment') => ({
    admin: notification(`Notification_Admin_${caller}_${level}`),
    requestor: notification(`Notification_Requestor_${caller}_${level}`),
    approver: notification(`Notification_Approver_${caller}_${level}`),
  });

  const activationExpiry = expiration('Expiration_EndUser_Assignment');
  const activationRules = enablement('Enablement_EndUser_Assignment');
  const approval = rule<ApprovalRule>('Approval_EndUser_Assignment', RULE_TYPES.approval).setting;
  const stages: ApprovalStageSettings[] = approval.approvalStages.map((stage) => ({
    approvers: stage.primaryApprovers.map(toApprover),
    escalationApprovers: stage.escalationApprovers.map(toApprover),
    approvalStageTimeOutInDays: stage.approvalStageTimeOutInDays,
    isApproverJustificationRequired: stage.isApproverJustificationRequired,
    isEscalationEnabled: stage.isEscalationEnabled,
    escalationTimeInMinutes: stage.escalationTimeInMinutes,
  }));
  const first: ApprovalStageSettings = stages[0] ?? defaultStageSettings();
  const authContext = rule<AuthenticationContextRule>(
    'AuthenticationContext_EndUser_Assignment',
    RULE_TYPES.authenticationContext,
  );
  const eligible = expiration('Expiration_Admin_Eligibility');
  const active = expiration('Expiration_Admin_Assignment');
  const activeRules = enablement('Enablement_Admin_Assignment');
  const events = {
    eligibleAssigned: event('Admin', 'Eligibility'),
    activeAssigned: event('Admin', 'Assignment'),
    eligibleActivated: event('EndUser', 'Assignment'),
  };
  const adminRules = Object.values(events)
    .map((e) => e.admin)
    .filter((n) => n.level !== 'None');

  return roleSettingsSchema.parse({
    groupId: policy.scopeId,
    accessId: policy.roleDefinitionId,
    activation: {
      maximumDuration: activationExpiry.maximumDuration,
      requireJustification: activationRules.includes('Justification'),
      requireTicket: activationRules.includes('Ticketing'),
      requireMfa: activationRules.includes('MultiFactorAuthentication'),
      authenticationContext: authContext.isEnabled && authContext.claimValue ? authContext.claimValue : null,
      requireApproval: approval.isApprovalRequired,
      approvers: first.approvers,
      approvalStageTimeOutInDays: first.approvalStageTimeOutInDays,
      isApproverJustificationRequired: first.isApproverJustificationRequired,
      approvalMode: approval.approvalMode === 'Serial' ? 'Serial' : 'SingleStage',
      stages,
      isApprovalRequiredForExtension: approval.isApprovalRequiredForExtension,
    },
    eligibleAssignment: {
      allowPermanent: !eligible.isExpirationRequired,
      maximumDuration: eligible.maximumDuration,
    },
    activeAssignment: {
      allowPermanent: !active.isExpirationRequired,
      maximumDuration: active.maximumDuration,
      requireMfa: activeRules.includes('MultiFactorAuthentication'),
      requireJustification: activeRules.includes('Justification'),
    },
    notifications: {
      adminRecipients: [...new Set(adminRules.flatMap((n) => n.additionalRecipients))],
      criticalOnly: adminRules.length > 0 && adminRules.every((n) => n.level === 'Critical'),
      defaultRecipientsEnabled: adminRules.some((n) => n.defaultRecipients),
      events,
    },
  } satisfies RoleSettings);
}

function toApprover(a: UserSet): Approver {
  return a['@odata.type'] === USER_SET_TYPES.singleUser
    ? { type: 'user', id: a.userId }
    : a['@odata.type'] === USER_SET_TYPES.groupMembers
      ? { type: 'groupMembers', id: a.groupId }
      : { type: 'groupOwners' };
}
