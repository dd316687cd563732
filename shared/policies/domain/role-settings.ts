/**
 * The effective role settings of one role (member or owner) of one managed group, as the activation and assignment
 * rules need them. Stored and served as Graph's `unifiedRoleManagementPolicy` with its rules (shared/policies/);
 * this is the flat view the domain works with. Defaults are PIM's.
 */
import { z } from 'zod';
import { resourceIdSchema, roleIdSchema, type ResourceType } from '../../access/resource';

export const accessIdSchema = z.enum(['member', 'owner']);
export type AccessId = z.infer<typeof accessIdSchema>;

/** Whether a role id is one of a group's (`member`, `owner`) rather than a directory role definition. */
export function isGroupRole(role: string): role is AccessId {
  return role === 'member' || role === 'owner';
}

/** Who approves: a user, the members of a group, or the group's (other) owners — Table-1's Owner row. */
export const approverSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('user'), id: z.guid() }),
  z.object({ type: z.literal('groupMembers'), id: z.guid() }),
  z.object({ type: z.literal('groupOwners') }),
]);
export type Approver = z.infer<typeof approverSchema>;

/** One Notification_* rule: how much to send (None, Critical, All), to the defaults or not, and to whom else. */
export const notificationSettingSchema = z.object({
  level: z.enum(['None', 'Critical', 'All']),
  defaultRecipients: z.boolean(),
  additionalRecipients: z.array(z.email()),
});
export type NotificationSetting = z.infer<typeof notificationSettingSchema>;

const eventNotificationsSchema = z.object({
  admin: notificationSettingSchema,
  requestor: notificationSettingSchema,
  approver: notificationSettingSchema,
});

/**
 * One stage of an activation's approval: who decides, how long they have, and whom to ask when they are slow.
 * `approvalStageTimeOutInDays` may be a decimal (0.25 = 6 hours); escalation, when enabled, mails
 * `escalationApprovers` after `escalationTimeInMinutes` without a decision, and lets them decide too.
 */
export const approvalStageSettingsSchema = z.object({
  approvers: z.array(approverSchema),
  escalationApprovers: z.array(approverSchema),
  approvalStageTimeOutInDays: z.number().positive(),
  isApproverJustificationRequired: z.boolean(),
  isEscalationEnabled: z.boolean(),
  escalationTimeInMinutes: z.number().int().nonnegative(),
});
export type ApprovalStageSettings = z.infer<typeof approvalStageSettingsSchema>;

/** PIM's default stage: no approvers yet, a day to decide, justification required, no escalation. */
export function defaultStageSettings(): ApprovalStageSettings {
  return {
    approvers: [],
    escalationApprovers: [],
    approvalStageTimeOutInDays: 1,
    isApproverJustificationRequired: true,
    isEscalationEnabled: false,
    escalationTimeInMinutes: 0,
  };
}

export const roleSettingsSchema = z.object({
  /** The group, or the directory scope of a directory role's settings (`/`). */
  groupId: resourceIdSchema,
  /** `member` or `owner`, or the directory role definition's id. */
  accessId: roleIdSchema,
  activation: z.object({
    /** ISO 8601 duration, 30 minutes to 24 hours. */
    maximumDuration: z.string(),
    requireJustification: z.boolean(),
    requireTicket: z.boolean(),
    requireMfa: z.boolean(),
    /** A Conditional Access authentication context the token must carry in `acrs` (e.g. `c1`), or null. */
    authenticationContext: z.string().nullable(),
    requireApproval: z.boolean(),
    /** The first stage's approvers, wait and justification rule: a summary of `stages[0]`. */
    approvers: z.array(approverSchema),
    approvalStageTimeOutInDays: z.number().positive(),
    isApproverJustificationRequired: z.boolean(),
    /** SingleStage: one stage. Serial: up to 3 stages, each started once the one before approved. */
    approvalMode: z.enum(['SingleStage', 'Serial']),
    /** The stages in order (one for SingleStage); what an approval opened now would run. */
    stages: z.array(approvalStageSettingsSchema),
    /** The Approval rule's setting: does a principal's extension of an activation need approval too? */
    isApprovalRequiredForExtension: z.boolean(),
  }),
  eligibleAssignment: z.object({ allowPermanent: z.boolean(), maximumDuration: z.string() }),
  activeAssignment: z.object({
    allowPermanent: z.boolean(),
    maximumDuration: z.string(),
    requireMfa: z.boolean(),
    requireJustification: z.boolean(),
  }),
  notifications: z.object({
    /** Extra recipients per event (eligible assigned, active assigned, eligible activated) for admins. */
    adminRecipients: z.array(z.email()),
    criticalOnly: z.boolean(),
    defaultRecipientsEnabled: z.boolean(),
    /**
     * Per event and recipient type, as the nine Notification_* rules say; the three fields above summarise the
     * Admin rules. Filled by the policy store's RoleSettingsSource; absent in settings built by hand.
     */
    events: z
      .object({
        eligibleAssigned: eventNotificationsSchema,
        activeAssigned: eventNotificationsSchema,
        eligibleActivated: eventNotificationsSchema,
      })
      .optional(),
  }),
});
export type RoleSettings = z.infer<typeof roleSettingsSchema>;

/** PIM's defaults: 8 h activation, justification required, no approval, permanent assignments allowed. */
export function defaultRoleSettings(groupId: string, accessId: AccessId): RoleSettings {
  return {
    groupId,
    accessId,
    activation: {
      maximumDuration: 'PT8H',
      requireJustification: true,
      requireTicket: false,
      requireMfa: false,
      authenticationContext: null,
      requireApproval: false,
      approvers: [],
      approvalStageTimeOutInDays: 1,
      isApproverJustificationRequired: true,
      approvalMode: 'SingleStage',
      stages: [defaultStageSettings()],
      isApprovalRequiredForExtension: false,
    },
    eligibleAssignment: { allowPermanent: true, maximumDuration: 'P365D' },
    activeAssignment: {
      allowPermanent: true,
      maximumDuration: 'P180D',
      requireMfa: false,
      requireJustification: true,
    },
    notifications: { adminRecipients: [], criticalOnly: false, defaultRecipientsEnabled: true },
  };
}

/** What the activation orchestration and the request API read: the settings in force for a group role. */
export interface RoleSettingsSource {
  /**
   * The settings of role `accessId` on resource `groupId` (a group, or for `directoryRole` the directory scope).
   * Throws an error named `GroupNotManagedError` / `RoleNotManagedError` when pimflow doesn't manage it.
   */
  get(groupId: string, accessId: string, resourceType?: ResourceType): Promise<RoleSettings>;
}
