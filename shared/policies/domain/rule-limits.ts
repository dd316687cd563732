/**
 * PIM's limits and pimflow's on a rule after a PATCH is merged in (see docs/api/role-settings.md): each check adds
 * what it finds to `errors`, so every problem is reported at once.
 */
import { MAX_ISO_DURATION, parseIsoDuration } from '../../iso-duration';
import type { PolicyScope } from './policy';
import type { FieldError } from './rule-input';
import {
  USER_SET_TYPES,
  type ApprovalRule,
  type PolicyRule,
  type RuleDefinition,
  type UserSet,
} from './rules';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
export const LIMITS = {
  activationMin: 30 * MINUTE,
  activationMax: 24 * HOUR,
  assignmentMin: DAY,
  assignmentMax: 3650 * DAY,
  /** Per stage, in days; decimals allowed (0.25 = 6 h), from 1 hour to 14 days, rounded to the minute. */
  approvalTimeoutDays: { min: 1 / 24, max: 14 },
  /** Serial approval: at most this many stages. */
  approvalStages: 3,
  /** Escalation: at least this many minutes into the stage, and before the stage's time runs out. */
  escalationMinutesMin: 15,
  approvers: 25,
  notificationRecipients: 1000,
} as const;

/** Which `enabledRules` each enablement rule may hold. */
const ENABLEMENT_ALLOWED: Record<string, readonly string[]> = {
  Enablement_EndUser_Assignment: ['Justification', 'MultiFactorAuthentication', 'Ticketing'],
  Enablement_Admin_Assignment: ['Justification', 'MultiFactorAuthentication'],
  Enablement_Admin_Eligibility: [],
};

const AUTH_CONTEXT = /^c([1-9]|[1-9][0-9])$/;

/** The enablement rule's `enabledRules`: only those this rule allows, each once. */
export function checkEnablement(
  definition: RuleDefinition,
  enabled: readonly string[],
  errors: FieldError[],
) {
  const allowed = ENABLEMENT_ALLOWED[definition.id] ?? [];
  enabled.forEach((r, index) => {
    if (!allowed.includes(r)) {
      errors.push({
        field: `body.enabledRules.${index}`,
        message:
          allowed.length === 0
            ? `${definition.id} takes no rules (pimflow enforces none on eligible assignments): send []`
            : `${definition.id} allows ${allowed.join(', ')}; not ${r}`,
      });
    } else if (enabled.indexOf(r) !== index) {
      errors.push({ field: `body.enabledRules.${index}`, message: `${r} is listed twice` });
    }
  });
}

export function checkAuthenticationContext(
  rule: Extract<PolicyRule, { isEnabled: boolean }>,
  errors: FieldError[],
) {
  if (rule.isEnabled && !AUTH_CONTEXT.test(rule.claimValue ?? '')) {
    errors.push({
      field: 'body.claimValue',
      message: `An enabled authentication context needs claimValue c1 to c99 (the context's id in Conditional Access); got ${JSON.stringify(rule.claimValue)}`,
    });
  }
}

export function checkNotification(
  definition: RuleDefinition,
  stored: Extract<PolicyRule, { recipientType: string }>,
  merged: Extract<PolicyRule, { recipientType: string }>,
  recipientType: string | undefined,
  errors: FieldError[],
) {
  if (recipientType !== undefined && recipientType !== stored.recipientType) {
    errors.push({
      field: 'body.recipientType',
      message: `${definition.id} notifies ${stored.recipientType}; its recipientType can't change`,
    });
  }
  if (merged.notificationRecipients.length > LIMITS.notificationRecipients) {
    errors.push({
      field: 'body.notificationRecipients',
      message: `At most ${LIMITS.notificationRecipients} additional recipients per rule`,
    });
  }
}

export function checkExpiration(
  definition: RuleDefinition,
  rule: Extract<PolicyRule, { isExpirationRequired: boolean }>,
  errors: FieldError[],
) {
  const ms = parseIsoDuration(rule.maximumDuration);
  if (ms === undefined || ms <= 0) {
    errors.push({
      field: 'body.maximumDuration',
      message: `maximumDuration must be an ISO 8601 duration such as PT2H or P180D (at most ${MAX_ISO_DURATION}); got ${JSON.stringify(rule.maximumDuration).slice(0, 40)}`,
    });
    return;
  }
  if (definition.caller === 'EndUser') {
    if (!rule.isExpirationRequired) {
      errors.push({ field: 'body.isExpirationRequired', message: 'Activations always expire: keep it true' });
    }
    if (ms < LIMITS.activationMin || ms > LIMITS.activationMax) {
      errors.push({
        field: 'body.maximumDuration',
        message: `The activation maximum must be between 30 minutes (PT30M) and 24 hours (PT24H); got ${rule.maximumDuration}`,
      });
    }
  } else if (ms < LIMITS.assignmentMin || ms > LIMITS.assignmentMax) {
    errors.push({
      field: 'body.maximumDuration',
      message: `An assignment maximum must be between 1 day (P1D) and 3650 days; got ${rule.maximumDuration}`,
    });
  }
}

/**
 * A directory or Azure role's approval may name no approvers (PIM's default approvers decide: the directory's Global
 * Administrators and Privileged Role Administrators); a group's must name some.
 */
export function checkApproval(rule: ApprovalRule, scope: PolicyScope, errors: FieldError[]) {
  const approversRequired = scope.scopeType === 'Group';
  const s = rule.setting;
  const at = 'body.setting';
  if (s.approvalMode === 'Parallel') {
    errors.push({
      field: `${at}.approvalMode`,
      message:
        'Parallel approval is not supported: use Serial (stages one after the other, up to 3) or SingleStage',
    });
  } else if (s.approvalMode === 'NoApproval') {
    errors.push({
      field: `${at}.approvalMode`,
      message: 'Use approvalMode SingleStage with isApprovalRequired false to turn approval off',
    });
  }
  if (s.approvalMode === 'SingleStage' && s.approvalStages.length > 1) {
    errors.push({
      field: `${at}.approvalStages`,
      message: 'SingleStage approval has one stage: send one, or use approvalMode Serial for up to 3',
    });
  }
  if (s.approvalMode === 'Serial' && s.approvalStages.length > LIMITS.approvalStages) {
    errors.push({
      field: `${at}.approvalStages`,
      message: `Serial approval has at most ${LIMITS.approvalStages} stages; got ${s.approvalStages.length}`,
    });
  }
  const first = s.approvalStages[0];
  if (approversRequired && s.isApprovalRequired && (!first || first.primaryApprovers.length === 0)) {
    errors.push({
      field: `${at}.approvalStages.0.primaryApprovers`,
      message: 'Approval is required: name at least one approver in the first stage',
    });
  }
  s.approvalStages.forEach((stage, index) => {
    const f = `${at}.approvalStages.${index}`;
    if (approversRequired && index > 0 && s.isApprovalRequired && stage.primaryApprovers.length === 0) {
      errors.push({
        field: `${f}.primaryApprovers`,
        message: `Approval is required: name at least one approver in stage ${index + 1}`,
      });
    }
    const { min, max } = LIMITS.approvalTimeoutDays;
    const days = stage.approvalStageTimeOutInDays;
    if (!Number.isFinite(days) || days < min - 1e-9 || days > max) {
      errors.push({
        field: `${f}.approvalStageTimeOutInDays`,
        message: `approvalStageTimeOutInDays must be from 1 hour (${(1 / 24).toFixed(4)}; decimals allowed, 0.25 = 6 hours) to ${max} days; got ${days}`,
      });
    }
    if (stage.isEscalationEnabled) {
      if (stage.escalationApprovers.length === 0) {
        errors.push({
          field: `${f}.escalationApprovers`,
          message: 'Escalation is enabled: name at least one escalation approver',
        });
      }
      const stageMinutes = Math.round(days * 24 * 60);
      if (
        stage.escalationTimeInMinutes < LIMITS.escalationMinutesMin ||
        stage.escalationTimeInMinutes >= stageMinutes
      ) {
        errors.push({
          field: `${f}.escalationTimeInMinutes`,
          message: `escalationTimeInMinutes must be at least ${LIMITS.escalationMinutesMin} and less than the stage's time (${stageMinutes} minutes); got ${stage.escalationTimeInMinutes}`,
        });
      }
    }
    checkApprovers(stage.primaryApprovers, `${f}.primaryApprovers`, scope, errors);
    checkApprovers(stage.escalationApprovers, `${f}.escalationApprovers`, scope, errors);
  });
}

function checkApprovers(approvers: UserSet[], f: string, scope: PolicyScope, errors: FieldError[]) {
  if (approvers.length > LIMITS.approvers) {
    errors.push({ field: f, message: `At most ${LIMITS.approvers} approvers` });
  }
  const seen = new Set<string>();
  approvers.forEach((approver, j) => {
    const key = approverKey(approver);
    if (seen.has(key)) errors.push({ field: `${f}.${j}`, message: 'This approver is listed twice' });
    seen.add(key);
    if (approver['@odata.type'] !== USER_SET_TYPES.groupOwners) return;
    if (scope.scopeType !== 'Group') {
      errors.push({
        field: `${f}.${j}`,
        message: `groupOwners approvers are the owners of a group's policy: ${scope.scopeType === 'DirectoryRole' ? 'a directory role' : 'an Azure role'} has none; name users (singleUser) or groups (groupMembers), or no one for the default approvers (Global Administrators and Privileged Role Administrators)`,
      });
    } else if (approver.groupId.toLowerCase() !== scope.scopeId) {
      errors.push({
        field: `${f}.${j}.groupId`,
        message: `groupOwners approvers are the owners of this policy's own group: use groupId ${scope.scopeId}`,
      });
    }
  });
}

function approverKey(a: UserSet): string {
  return `${a['@odata.type']}:${('userId' in a ? a.userId : a.groupId).toLowerCase()}`;
}
