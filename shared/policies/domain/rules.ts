/**
 * The rules of a role management policy, as Microsoft Graph names and shapes them
 * (`unifiedRoleManagementPolicyRule` and its five derived types): the 17 predefined rule ids of a PIM for Groups
 * policy, their targets, their stored form (zod), and PIM's defaults.
 */
import { z } from 'zod';

export const RULE_TYPES = {
  expiration: '#microsoft.graph.unifiedRoleManagementPolicyExpirationRule',
  enablement: '#microsoft.graph.unifiedRoleManagementPolicyEnablementRule',
  approval: '#microsoft.graph.unifiedRoleManagementPolicyApprovalRule',
  authenticationContext: '#microsoft.graph.unifiedRoleManagementPolicyAuthenticationContextRule',
  notification: '#microsoft.graph.unifiedRoleManagementPolicyNotificationRule',
} as const;
export type RuleKind = keyof typeof RULE_TYPES;

/** Who approves (Graph's `userSet` types), plus pimflow's `groupOwners` for Table-1's "other owners". */
export const USER_SET_TYPES = {
  singleUser: '#microsoft.graph.singleUser',
  groupMembers: '#microsoft.graph.groupMembers',
  /**
   * pimflow extension (Graph has no such userSet): the owners of the policy's own group, the requester excluded.
   * `groupId` must be the policy's scopeId.
   */
  groupOwners: '#microsoft.graph.groupOwners',
} as const;

export type Caller = 'Admin' | 'EndUser';
export type Level = 'Assignment' | 'Eligibility';
export type RecipientType = 'Admin' | 'Requestor' | 'Approver';

export interface RuleDefinition {
  id: string;
  kind: RuleKind;
  caller: Caller;
  level: Level;
  /** Notification rules only: whom the rule's mails go to. */
  recipientType?: RecipientType;
}

const notification = (recipient: RecipientType, caller: Caller, level: Level): RuleDefinition => ({
  id: `Notification_${recipient}_${caller}_${level}`,
  kind: 'notification',
  caller,
  level,
  recipientType: recipient,
});

/** The 17 predefined rules of every PIM for Groups policy, in the order we list them. */
export const RULE_DEFINITIONS: readonly RuleDefinition[] = [
  { id: 'Expiration_Admin_Eligibility', kind: 'expiration', caller: 'Admin', level: 'Eligibility' },
  { id: 'Enablement_Admin_Eligibility', kind: 'enablement', caller: 'Admin', level: 'Eligibility' },
  notification('Admin', 'Admin', 'Eligibility'),
  notification('Requestor', 'Admin', 'Eligibility'),
  notification('Approver', 'Admin', 'Eligibility'),
  { id: 'Expiration_Admin_Assignment', kind: 'expiration', caller: 'Admin', level: 'Assignment' },
  { id: 'Enablement_Admin_Assignment', kind: 'enablement', caller: 'Admin', level: 'Assignment' },
  notification('Admin', 'Admin', 'Assignment'),
  notification('Requestor', 'Admin', 'Assignment'),
  notification('Approver', 'Admin', 'Assignment'),
  { id: 'Expiration_EndUser_Assignment', kind: 'expiration', caller: 'EndUser', level: 'Assignment' },
  { id: 'Enablement_EndUser_Assignment', kind: 'enablement', caller: 'EndUser', level: 'Assignment' },
  { id: 'Approval_EndUser_Assignment', kind: 'approval', caller: 'EndUser', level: 'Assignment' },
  {
    id: 'AuthenticationContext_EndUser_Assignment',
    kind: 'authenticationContext',
    caller: 'EndUser',
    level: 'Assignment',
  },
  notification('Admin', 'EndUser', 'Assignment'),
  notification('Requestor', 'EndUser', 'Assignment'),
  notification('Approver', 'EndUser', 'Assignment'),
];

export const RULE_IDS = RULE_DEFINITIONS.map((r) => r.id);

export function ruleDefinition(ruleId: string): RuleDefinition | undefined {
  return RULE_DEFINITIONS.find((r) => r.id === ruleId);
}

// ---------------------------------------------------------------------------------------------------------
// Stored (and served) shapes

export const ruleTargetSchema = z.strictObject({
  caller: z.enum(['Admin', 'EndUser']),
  operations: z.array(z.literal('All')),
  level: z.enum(['Assignment', 'Eligibility']),
  inheritableSettings: z.array(z.string()),
  enforcedSettings: z.array(z.string()),
});
export type RuleTarget = z.infer<typeof ruleTargetSchema>;

const userSetCommon = {
  isBackup: z.boolean().optional(),
  description: z.string().max(256).nullable().optional(),
};

export const userSetSchema = z.discriminatedUnion('@odata.type', [
  z.strictObject({
    '@odata.type': z.literal(USER_SET_TYPES.singleUser),
    userId: z.guid(),
    ...userSetCommon,
  }),
  z.strictObject({
    '@odata.type': z.literal(USER_SET_TYPES.groupMembers),
    groupId: z.guid(),
    ...userSetCommon,
  }),
  z.strictObject({
    '@odata.type': z.literal(USER_SET_TYPES.groupOwners),
    groupId: z.guid(),
    ...userSetCommon,
  }),
]);
export type UserSet = z.infer<typeof userSetSchema>;

export const approvalStageSchema = z.strictObject({
  /** Graph types it Int32; pimflow takes decimals too (0.25 = 6 hours). */
  approvalStageTimeOutInDays: z.number(),
  isApproverJustificationRequired: z.boolean(),
  escalationTimeInMinutes: z.number().int(),
  isEscalationEnabled: z.boolean(),
  primaryApprovers: z.array(userSetSchema),
  escalationApprovers: z.array(userSetSchema),
});
export type ApprovalStage = z.infer<typeof approvalStageSchema>;

export const approvalSettingsSchema = z.strictObject({
  isApprovalRequired: z.boolean(),
  isApprovalRequiredForExtension: z.boolean(),
  isRequestorJustificationRequired: z.boolean(),
  approvalMode: z.enum(['SingleStage', 'Serial', 'Parallel', 'NoApproval']),
  approvalStages: z.array(approvalStageSchema),
});
export type ApprovalSettings = z.infer<typeof approvalSettingsSchema>;

export const enabledRuleSchema = z.enum(['Justification', 'MultiFactorAuthentication', 'Ticketing']);
export type EnabledRule = z.infer<typeof enabledRuleSchema>;

const ruleBase = { id: z.string(), target: ruleTargetSchema };

export const expirationRuleSchema = z.strictObject({
  '@odata.type': z.literal(RULE_TYPES.expiration),
  ...ruleBase,
  isExpirationRequired: z.boolean(),
  maximumDuration: z.string(),
});
export const enablementRuleSchema = z.strictObject({
  '@odata.type': z.literal(RULE_TYPES.enablement),
  ...ruleBase,
  enabledRules: z.array(enabledRuleSchema),
});
export const approvalRuleSchema = z.strictObject({
  '@odata.type': z.literal(RULE_TYPES.approval),
  ...ruleBase,
  setting: approvalSettingsSchema,
});
export const authenticationContextRuleSchema = z.strictObject({
  '@odata.type': z.literal(RULE_TYPES.authenticationContext),
  ...ruleBase,
  isEnabled: z.boolean(),
  claimValue: z.string().nullable(),
});
export const notificationRuleSchema = z.strictObject({
  '@odata.type': z.literal(RULE_TYPES.notification),
  ...ruleBase,
  notificationType: z.literal('Email'),
  recipientType: z.enum(['Admin', 'Requestor', 'Approver']),
  notificationLevel: z.enum(['None', 'Critical', 'All']),
  isDefaultRecipientsEnabled: z.boolean(),
  notificationRecipients: z.array(z.string()),
});

export const policyRuleSchema = z.discriminatedUnion('@odata.type', [
  expirationRuleSchema,
  enablementRuleSchema,
  approvalRuleSchema,
  authenticationContextRuleSchema,
  notificationRuleSchema,
]);
export type PolicyRule = z.infer<typeof policyRuleSchema>;
export type ExpirationRule = z.infer<typeof expirationRuleSchema>;
export type EnablementRule = z.infer<typeof enablementRuleSchema>;
export type ApprovalRule = z.infer<typeof approvalRuleSchema>;
export type AuthenticationContextRule = z.infer<typeof authenticationContextRuleSchema>;
export type NotificationRule = z.infer<typeof notificationRuleSchema>;

export function targetOf(definition: RuleDefinition): RuleTarget {
  return {
    caller: definition.caller,
    operations: ['All'],
    level: definition.level,
    inheritableSettings: [],
    enforcedSettings: [],
  };
}

export const DEFAULT_APPROVAL_STAGE: ApprovalStage = {
  approvalStageTimeOutInDays: 1,
  isApproverJustificationRequired: true,
  escalationTimeInMinutes: 0,
  isEscalationEnabled: false,
  primaryApprovers: [],
  escalationApprovers: [],
};

/**
 * PIM's defaults for a group role: activation up to 8 h with justification and no approval; permanent eligible
 * and active assignments allowed (their maximum durations P365D and P180D apply once expiration is required);
 * justification on active assignment; every notification on, to the default recipients.
 */
export function defaultRule(definition: RuleDefinition): PolicyRule {
  const base = { id: definition.id, target: targetOf(definition) };
  switch (definition.kind) {
    case 'expiration': {
      const endUser = definition.caller === 'EndUser';
      return {
        '@odata.type': RULE_TYPES.expiration,
        ...base,
        isExpirationRequired: endUser,
        maximumDuration: endUser ? 'PT8H' : definition.level === 'Eligibility' ? 'P365D' : 'P180D',
      };
    }
    case 'enablement':
      return {
        '@odata.type': RULE_TYPES.enablement,
        ...base,
        enabledRules: definition.level === 'Eligibility' ? [] : ['Justification'],
      };
    case 'approval':
      return {
        '@odata.type': RULE_TYPES.approval,
        ...base,
        setting: {
          isApprovalRequired: false,
          isApprovalRequiredForExtension: false,
          isRequestorJustificationRequired: true,
          approvalMode: 'SingleStage',
          approvalStages: [{ ...DEFAULT_APPROVAL_STAGE }],
        },
      };
    case 'authenticationContext':
      return { '@odata.type': RULE_TYPES.authenticationContext, ...base, isEnabled: false, claimValue: '' };
    case 'notification':
      return {
        '@odata.type': RULE_TYPES.notification,
        ...base,
        notificationType: 'Email',
        recipientType: definition.recipientType ?? 'Admin',
        notificationLevel: 'All',
        isDefaultRecipientsEnabled: true,
        notificationRecipients: [],
      };
  }
}

export function defaultRules(): PolicyRule[] {
  return RULE_DEFINITIONS.map(defaultRule);
}

/**
 * PIM's defaults for an Azure resource role (Microsoft Entra docs, "Configure Azure resource role settings"):
 * activation up to 8 h with multifactor authentication and justification, no approval; eligible assignments expire
 * after at most a year and active ones after at most 6 months (no permanent assignments); justification on active
 * assignment; every notification on, to the default recipients.
 */
export function defaultAzureRoleRules(): PolicyRule[] {
  return defaultRules().map((rule): PolicyRule => {
    if (rule['@odata.type'] === RULE_TYPES.expiration) return { ...rule, isExpirationRequired: true };
    if (rule.id === 'Enablement_EndUser_Assignment' && rule['@odata.type'] === RULE_TYPES.enablement)
      return { ...rule, enabledRules: ['MultiFactorAuthentication', 'Justification'] };
    return rule;
  });
}
