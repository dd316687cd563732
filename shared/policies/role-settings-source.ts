/**
 * The RoleSettingsSource the activation and assignment code reads: a managed group role's stored policy, its Graph
 * rules mapped to the flat RoleSettings of shared/policies/domain/role-settings.ts. A group that isn't under management (or a
 * role pimflow doesn't manage for it) throws GroupNotManagedError.
 */
import type { Database } from '@azure/cosmos';
import type { Clock } from '../clock';
import type { ManagedGroupRepository } from '../managed-groups/adapters/managed-group-repository';
import {
  roleSettingsSchema,
  type AccessId,
  type ApprovalStageSettings,
  type Approver,
  type NotificationSetting,
  type RoleSettings,
  type RoleSettingsSource,
} from './domain/role-settings';
import { PolicyStore, type PolicyDocument } from './adapters/policy-store';
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
} from './domain/rules';

export class GroupNotManagedError extends Error {
  override name = 'GroupNotManagedError';
  constructor(readonly groupId: string) {
    super(`The group ${groupId} is not under management`);
  }
}

export interface RoleSettingsDeps {
  database: Database;
  managedGroups: ManagedGroupRepository;
  clock: Clock;
}

export function createRoleSettingsSource(services: RoleSettingsDeps): RoleSettingsSource {
  const store = new PolicyStore(services.database);
  return {
    async get(groupId: string, accessId: AccessId): Promise<RoleSettings> {
      const id = groupId.toLowerCase();
      const group = await services.managedGroups.find(id);
      if (!group || !group.settings.roles.includes(accessId)) throw new GroupNotManagedError(groupId);
      return toRoleSettings(await store.ensure(group, accessId, services.clock.now()));
    },
  };
}

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
  const first: ApprovalStageSettings = stages[0] ?? {
    approvers: [],
    escalationApprovers: [],
    approvalStageTimeOutInDays: 1,
    isApproverJustificationRequired: true,
    isEscalationEnabled: false,
    escalationTimeInMinutes: 0,
  };
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
