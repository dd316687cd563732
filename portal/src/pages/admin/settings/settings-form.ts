/**
 * A role's settings as the editor shows them (seed 002's tables: Activation, Assignment, Notifications) and back to
 * the policy's rules (docs/api/role-settings.md, "The 17 rules"): `formFromRules` reads the rules, `changedRules`
 * gives the PATCH body of each rule the form changes — only those, so a save touches nothing else.
 */
import { durationToHours, hoursToDuration } from '../../../app/format';

export type Rule = Record<string, unknown> & { id: string; '@odata.type'?: string };

const TYPES = {
  expiration: '#microsoft.graph.unifiedRoleManagementPolicyExpirationRule',
  enablement: '#microsoft.graph.unifiedRoleManagementPolicyEnablementRule',
  approval: '#microsoft.graph.unifiedRoleManagementPolicyApprovalRule',
  authenticationContext: '#microsoft.graph.unifiedRoleManagementPolicyAuthenticationContextRule',
  notification: '#microsoft.graph.unifiedRoleManagementPolicyNotificationRule',
} as const;

export const RULES = {
  activationExpiration: 'Expiration_EndUser_Assignment',
  activationEnablement: 'Enablement_EndUser_Assignment',
  approval: 'Approval_EndUser_Assignment',
  authenticationContext: 'AuthenticationContext_EndUser_Assignment',
  eligibleExpiration: 'Expiration_Admin_Eligibility',
  activeExpiration: 'Expiration_Admin_Assignment',
  activeEnablement: 'Enablement_Admin_Assignment',
} as const;

export type RecipientType = 'Admin' | 'Requestor' | 'Approver';
export type NotificationEvent = 'Admin_Eligibility' | 'Admin_Assignment' | 'EndUser_Assignment';

/** Seed 002's three notification tables, each with its three rows (PIM's wording). */
export const NOTIFICATION_TABLES: {
  event: NotificationEvent;
  title: string;
  rows: { recipient: RecipientType; type: string; defaultRecipients: string }[];
}[] = [
  {
    event: 'Admin_Eligibility',
    title: 'Send notifications when members are assigned as eligible to this role',
    rows: [
      { recipient: 'Admin', type: 'Role assignment alert', defaultRecipients: 'Admin' },
      {
        recipient: 'Requestor',
        type: 'Notification to the assigned user (assignee)',
        defaultRecipients: 'Assignee',
      },
      {
        recipient: 'Approver',
        type: 'Request to approve a role assignment renewal/extension',
        defaultRecipients: 'Approver',
      },
    ],
  },
  {
    event: 'Admin_Assignment',
    title: 'Send notifications when members are assigned as active to this role',
    rows: [
      { recipient: 'Admin', type: 'Role assignment alert', defaultRecipients: 'Admin' },
      {
        recipient: 'Requestor',
        type: 'Notification to the assigned user (assignee)',
        defaultRecipients: 'Assignee',
      },
      {
        recipient: 'Approver',
        type: 'Request to approve a role assignment renewal/extension',
        defaultRecipients: 'Approver',
      },
    ],
  },
  {
    event: 'EndUser_Assignment',
    title: 'Send notifications when eligible members activate this role',
    rows: [
      { recipient: 'Admin', type: 'Role activation alert', defaultRecipients: 'Admin' },
      {
        recipient: 'Requestor',
        type: 'Notification to activated user (requestor)',
        defaultRecipients: 'Requestor',
      },
      { recipient: 'Approver', type: 'Request to approve an activation', defaultRecipients: 'Approver' },
    ],
  },
];

export const notificationRuleId = (recipient: RecipientType, event: NotificationEvent) =>
  `Notification_${recipient}_${event}`;

/** PIM's choices for "Expire … assignments after" (days). */
export const EXPIRY_CHOICES: { days: number; label: string }[] = [
  { days: 15, label: '15 days' },
  { days: 30, label: '1 month' },
  { days: 90, label: '3 months' },
  { days: 180, label: '6 months' },
  { days: 365, label: '1 year' },
];

export type ApproverType = 'singleUser' | 'groupMembers' | 'groupOwners';
export interface Approver {
  type: ApproverType;
  /** The user's or the group's object id. */
  id: string;
  description?: string;
}

export interface NotificationSetting {
  defaultRecipients: boolean;
  /** Additional recipients, as typed: e-mail addresses separated by commas or semicolons. */
  additional: string;
  criticalOnly: boolean;
}

export type OnActivation = 'none' | 'mfa' | 'authenticationContext';

export interface SettingsForm {
  maximumActivationHours: string;
  onActivation: OnActivation;
  claimValue: string;
  requireJustification: boolean;
  requireTicket: boolean;
  requireApproval: boolean;
  approvers: Approver[];
  allowPermanentEligible: boolean;
  eligibleExpiryDays: number;
  allowPermanentActive: boolean;
  activeExpiryDays: number;
  requireMfaOnActive: boolean;
  requireJustificationOnActive: boolean;
  notifications: Record<string, NotificationSetting>;
}

function rule(rules: Rule[], id: string): Rule {
  const found = rules.find((r) => r.id === id);
  if (!found) throw new Error(`The policy has no rule ${id}`);
  return found;
}

const enabledRules = (r: Rule) => (Array.isArray(r.enabledRules) ? (r.enabledRules as string[]) : []);

function days(iso: unknown): number {
  const hours = typeof iso === 'string' ? durationToHours(iso) : undefined;
  return hours === undefined ? 365 : Math.round(hours / 24);
}

interface Stage {
  primaryApprovers?: Record<string, unknown>[];
  [key: string]: unknown;
}
interface ApprovalSetting {
  isApprovalRequired?: boolean;
  approvalStages?: Stage[];
}

function approverOf(set: Record<string, unknown>): Approver {
  const type = String(set['@odata.type'] ?? '').replace('#microsoft.graph.', '');
  const description = typeof set.description === 'string' ? set.description : undefined;
  if (type === 'singleUser') return { type, id: String(set.userId ?? ''), description };
  if (type === 'groupOwners') return { type, id: String(set.groupId ?? ''), description };
  return { type: 'groupMembers', id: String(set.groupId ?? ''), description };
}

function userSetOf(a: Approver): Record<string, unknown> {
  const base = { '@odata.type': `#microsoft.graph.${a.type}`, isBackup: false };
  const withDescription = a.description ? { ...base, description: a.description } : base;
  return a.type === 'singleUser'
    ? { ...withDescription, userId: a.id }
    : { ...withDescription, groupId: a.id };
}

export function formFromRules(rules: Rule[]): SettingsForm {
  const activation = rule(rules, RULES.activationExpiration);
  const activationEnablement = enabledRules(rule(rules, RULES.activationEnablement));
  const context = rule(rules, RULES.authenticationContext);
  const approval = (rule(rules, RULES.approval).setting ?? {}) as ApprovalSetting;
  const eligible = rule(rules, RULES.eligibleExpiration);
  const active = rule(rules, RULES.activeExpiration);
  const activeEnablement = enabledRules(rule(rules, RULES.activeEnablement));
  const notifications: Record<string, NotificationSetting> = {};
  for (const table of NOTIFICATION_TABLES) {
    for (const row of table.rows) {
      const id = notificationRuleId(row.recipient, table.event);
      const r = rule(rules, id);
      notifications[id] = {
        defaultRecipients: r.isDefaultRecipientsEnabled === true,
        additional: ((r.notificationRecipients as string[] | undefined) ?? []).join(', '),
        criticalOnly: r.notificationLevel === 'Critical',
      };
    }
  }
  const hours = durationToHours(String(activation.maximumDuration ?? ''));
  return {
    maximumActivationHours: hours === undefined ? '' : String(Math.round(hours * 100) / 100),
    onActivation:
      context.isEnabled === true
        ? 'authenticationContext'
        : activationEnablement.includes('MultiFactorAuthentication')
          ? 'mfa'
          : 'none',
    claimValue:
      typeof context.claimValue === 'string' && context.claimValue !== '' ? context.claimValue : 'c1',
    requireJustification: activationEnablement.includes('Justification'),
    requireTicket: activationEnablement.includes('Ticketing'),
    requireApproval: approval.isApprovalRequired === true,
    approvers: (approval.approvalStages?.[0]?.primaryApprovers ?? []).map(approverOf),
    allowPermanentEligible: eligible.isExpirationRequired !== true,
    eligibleExpiryDays: days(eligible.maximumDuration),
    allowPermanentActive: active.isExpirationRequired !== true,
    activeExpiryDays: days(active.maximumDuration),
    requireMfaOnActive: activeEnablement.includes('MultiFactorAuthentication'),
    requireJustificationOnActive: activeEnablement.includes('Justification'),
    notifications,
  };
}

export interface RuleChange {
  ruleId: string;
  body: Record<string, unknown>;
}

export function splitRecipients(text: string): string[] {
  return text
    .split(/[,;\s]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x) => b.includes(x));

const sameApprovers = (a: Approver[], b: Approver[]) =>
  a.length === b.length &&
  a.every((x, i) => x.type === b[i]?.type && x.id.toLowerCase() === b[i]?.id.toLowerCase());

/** Problems the form can see before asking the API (what isn't even a value), by rule id. */
export function formProblems(form: SettingsForm): Record<string, string> {
  const problems: Record<string, string> = {};
  const hours = Number(form.maximumActivationHours);
  if (form.maximumActivationHours.trim() === '' || !Number.isFinite(hours) || hours <= 0)
    problems[RULES.activationExpiration] = 'Enter the maximum duration in hours, for example 4 or 1.5.';
  return problems;
}

/** The PATCH body of every rule the form changes, compared with the stored rules. */
export function changedRules(form: SettingsForm, rules: Rule[]): RuleChange[] {
  const saved = formFromRules(rules);
  const changes: RuleChange[] = [];
  const change = (ruleId: string, kind: keyof typeof TYPES, fields: Record<string, unknown>) =>
    changes.push({ ruleId, body: { '@odata.type': TYPES[kind], ...fields } });

  if (Number(form.maximumActivationHours) !== Number(saved.maximumActivationHours)) {
    change(RULES.activationExpiration, 'expiration', {
      isExpirationRequired: true,
      maximumDuration: hoursToDuration(Number(form.maximumActivationHours)),
    });
  }
  const storedActivation = enabledRules(rule(rules, RULES.activationEnablement));
  // A policy may ask for MFA and a context at once (set through the API); left as it is unless the choice changes.
  const keepMfa =
    form.onActivation === 'authenticationContext' &&
    saved.onActivation === 'authenticationContext' &&
    storedActivation.includes('MultiFactorAuthentication');
  const activation = [
    ...(form.requireJustification ? ['Justification'] : []),
    ...(form.onActivation === 'mfa' || keepMfa ? ['MultiFactorAuthentication'] : []),
    ...(form.requireTicket ? ['Ticketing'] : []),
  ];
  if (!sameSet(activation, storedActivation)) {
    change(RULES.activationEnablement, 'enablement', { enabledRules: activation });
  }
  const contextOn = form.onActivation === 'authenticationContext';
  const context = rule(rules, RULES.authenticationContext);
  if (
    contextOn !== (context.isEnabled === true) ||
    (contextOn && form.claimValue.trim() !== context.claimValue)
  ) {
    change(RULES.authenticationContext, 'authenticationContext', {
      isEnabled: contextOn,
      claimValue: contextOn ? form.claimValue.trim() : (context.claimValue ?? ''),
    });
  }
  const approversChanged = !sameApprovers(form.approvers, saved.approvers);
  if (form.requireApproval !== saved.requireApproval || approversChanged) {
    const setting: Record<string, unknown> = { isApprovalRequired: form.requireApproval };
    if (approversChanged) {
      const stages = ((rule(rules, RULES.approval).setting ?? {}) as ApprovalSetting).approvalStages ?? [];
      const [first, ...rest] = stages.length > 0 ? stages : [{}];
      setting.approvalStages = [{ ...first, primaryApprovers: form.approvers.map(userSetOf) }, ...rest];
    }
    change(RULES.approval, 'approval', { setting });
  }
  for (const [ruleId, permanent, expiry, was] of [
    [
      RULES.eligibleExpiration,
      form.allowPermanentEligible,
      form.eligibleExpiryDays,
      rule(rules, RULES.eligibleExpiration),
    ],
    [
      RULES.activeExpiration,
      form.allowPermanentActive,
      form.activeExpiryDays,
      rule(rules, RULES.activeExpiration),
    ],
  ] as const) {
    const wasPermanent = was.isExpirationRequired !== true;
    if (permanent !== wasPermanent || (!permanent && expiry !== days(was.maximumDuration))) {
      change(ruleId, 'expiration', {
        isExpirationRequired: !permanent,
        maximumDuration: permanent ? was.maximumDuration : `P${expiry}D`,
      });
    }
  }
  const active = [
    ...(form.requireJustificationOnActive ? ['Justification'] : []),
    ...(form.requireMfaOnActive ? ['MultiFactorAuthentication'] : []),
  ];
  if (!sameSet(active, enabledRules(rule(rules, RULES.activeEnablement)))) {
    change(RULES.activeEnablement, 'enablement', { enabledRules: active });
  }
  for (const [ruleId, n] of Object.entries(form.notifications)) {
    const was = rule(rules, ruleId);
    const recipients = splitRecipients(n.additional);
    const level = n.criticalOnly ? 'Critical' : was.notificationLevel === 'None' ? 'None' : 'All';
    if (
      n.defaultRecipients !== (was.isDefaultRecipientsEnabled === true) ||
      !sameSet(recipients, (was.notificationRecipients as string[] | undefined) ?? []) ||
      level !== was.notificationLevel
    ) {
      change(ruleId, 'notification', {
        isDefaultRecipientsEnabled: n.defaultRecipients,
        notificationRecipients: recipients,
        notificationLevel: level,
      });
    }
  }
  return changes;
}

/** A stored rule as a PATCH body that puts it back (what a GET returned can be sent back as is). */
export function restoreBody(stored: Rule): Record<string, unknown> {
  const kind = (Object.keys(TYPES) as (keyof typeof TYPES)[]).find((k) =>
    stored.id.startsWith(
      k === 'authenticationContext' ? 'AuthenticationContext' : k.charAt(0).toUpperCase() + k.slice(1),
    ),
  );
  const body: Record<string, unknown> = {
    ...stored,
    '@odata.type': stored['@odata.type'] ?? (kind ? TYPES[kind] : ''),
  };
  delete body['@odata.context'];
  return body;
}
