/**
 * `PATCH .../rules/{ruleId}`, applied: fields present in the body replace the stored ones; fields left out keep
 * their value (in the approval rule, per field of `setting` and of each stage). The merged rule must then satisfy
 * PIM's limits and pimflow's (rule-limits.ts); every problem is reported at once, and nothing is stored unless all
 * pass. The body's shape is rule-input.ts'.
 */
import type { PolicyScope } from './policy';
import {
  parseRuleInput,
  withoutOdata,
  zodErrors,
  type ApprovalSettingInput,
  type FieldError,
  type RuleInputOf,
  type TargetInput,
} from './rule-input';
import {
  checkApproval,
  checkAuthenticationContext,
  checkEnablement,
  checkExpiration,
  checkNotification,
} from './rule-limits';
import {
  DEFAULT_APPROVAL_STAGE,
  policyRuleSchema,
  RULE_TYPES,
  type ApprovalRule,
  type ApprovalStage,
  type PolicyRule,
  type RuleDefinition,
  type RuleTarget,
} from './rules';

export type { FieldError } from './rule-input';

export type PatchOutcome = { ok: true; rule: PolicyRule } | { ok: false; errors: FieldError[] };

/**
 * Merges a PATCH body into the stored rule and checks the result (everything but the directory). `scope` is the
 * policy's: a group, or the directory for a directory role's policy.
 */
export function mergeRulePatch(
  definition: RuleDefinition,
  stored: PolicyRule,
  rawBody: unknown,
  scope: PolicyScope,
): PatchOutcome {
  const parsed = parseRuleInput(definition, rawBody);
  if (!parsed.ok) return parsed;
  const input = parsed.input;

  const errors: FieldError[] = [];
  if (input.id !== undefined && input.id !== definition.id) {
    errors.push({
      field: 'body.id',
      message: `The rule's id is ${definition.id} (from the URL), not ${input.id}`,
    });
  }
  if (input.target !== undefined && !sameTarget(input.target, stored.target)) {
    errors.push({
      field: 'body.target',
      message: `The target of ${definition.id} is fixed: ${JSON.stringify(stored.target)}`,
    });
  }

  let merged: PolicyRule;
  switch (stored['@odata.type']) {
    case RULE_TYPES.expiration: {
      const i = input as RuleInputOf<'expiration'>;
      merged = {
        ...stored,
        ...(i.isExpirationRequired !== undefined && { isExpirationRequired: i.isExpirationRequired }),
        ...(i.maximumDuration !== undefined && { maximumDuration: i.maximumDuration }),
      };
      checkExpiration(definition, merged, errors);
      break;
    }
    case RULE_TYPES.enablement: {
      const i = input as RuleInputOf<'enablement'>;
      merged = { ...stored, enabledRules: i.enabledRules ?? stored.enabledRules };
      checkEnablement(definition, merged.enabledRules, errors);
      break;
    }
    case RULE_TYPES.approval: {
      const i = input as RuleInputOf<'approval'>;
      merged = mergeApproval(stored, i.setting);
      checkApproval(merged, scope, errors);
      break;
    }
    case RULE_TYPES.authenticationContext: {
      const i = input as RuleInputOf<'authenticationContext'>;
      merged = {
        ...stored,
        ...(i.isEnabled !== undefined && { isEnabled: i.isEnabled }),
        ...(i.claimValue !== undefined && { claimValue: i.claimValue }),
      };
      checkAuthenticationContext(merged, errors);
      break;
    }
    case RULE_TYPES.notification: {
      const i = input as RuleInputOf<'notification'>;
      const recipients = i.notificationRecipients && dedupe(i.notificationRecipients);
      merged = {
        ...stored,
        ...(i.notificationLevel !== undefined && { notificationLevel: i.notificationLevel }),
        ...(i.isDefaultRecipientsEnabled !== undefined && {
          isDefaultRecipientsEnabled: i.isDefaultRecipientsEnabled,
        }),
        ...(recipients !== undefined && { notificationRecipients: recipients }),
      };
      checkNotification(definition, stored, merged, i.recipientType, errors);
      break;
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  const final = policyRuleSchema.safeParse(merged);
  if (!final.success) return { ok: false, errors: zodErrors(final.error) };
  return { ok: true, rule: final.data };
}

function mergeApproval(stored: ApprovalRule, input: ApprovalSettingInput): ApprovalRule {
  if (!input) return stored;
  const rest = withoutOdata(input);
  const stages: ApprovalStage[] =
    input.approvalStages === undefined
      ? stored.setting.approvalStages
      : input.approvalStages.map((stage, index) => ({
          ...(stored.setting.approvalStages[index] ?? DEFAULT_APPROVAL_STAGE),
          ...(withoutOdata(stage) as Partial<ApprovalStage>),
        }));
  return {
    ...stored,
    setting: {
      ...stored.setting,
      ...(Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as Partial<
        ApprovalRule['setting']
      >),
      approvalStages: stages,
    },
  };
}

function sameTarget(input: TargetInput, stored: RuleTarget): boolean {
  return (
    input.caller === stored.caller &&
    input.level === stored.level &&
    sameList(input.operations, stored.operations) &&
    sameList(input.inheritableSettings ?? [], stored.inheritableSettings) &&
    sameList(input.enforcedSettings ?? [], stored.enforcedSettings)
  );
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function dedupe(addresses: string[]): string[] {
  const seen = new Set<string>();
  return addresses.filter((a) => {
    const key = a.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** What changed between two versions of a rule, as `path` → [old, new] (JSON), for the audit record. */
export function ruleChanges(before: PolicyRule, after: PolicyRule): Record<string, [string, string]> {
  const changes: Record<string, [string, string]> = {};
  const walk = (a: unknown, b: unknown, path: string) => {
    if (JSON.stringify(a) === JSON.stringify(b)) return;
    if (isPlainObject(a) && isPlainObject(b)) {
      for (const key of new Set([...Object.keys(a), ...Object.keys(b)]))
        walk(a[key], b[key], path ? `${path}.${key}` : key);
      return;
    }
    changes[path] = [JSON.stringify(a ?? null), JSON.stringify(b ?? null)];
  };
  walk(before, after, '');
  return changes;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
