/**
 * `PATCH .../rules/{ruleId}`: the body is the rule, with its `@odata.type` (as Graph takes it; what a GET returned
 * can be sent back as is). Fields present replace the stored ones; fields left out keep their value (in the approval
 * rule, per field of `setting` and of each stage). The merged rule must then satisfy PIM's limits and pimflow's
 * (see docs/api/role-settings.md); every problem is reported at once, and nothing is stored unless all pass.
 */
import { z } from 'zod';
import type { Directory } from '../../directory/directory';
import { MAX_ISO_DURATION, parseIsoDuration } from '../../iso-duration';
import {
  DEFAULT_APPROVAL_STAGE,
  enabledRuleSchema,
  policyRuleSchema,
  RULE_TYPES,
  USER_SET_TYPES,
  userSetSchema,
  type ApprovalRule,
  type ApprovalStage,
  type PolicyRule,
  type RuleDefinition,
  type RuleTarget,
  type UserSet,
} from './rules';

export interface FieldError {
  field: string;
  message: string;
}

export type PatchOutcome = { ok: true; rule: PolicyRule } | { ok: false; errors: FieldError[] };

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

// ---------------------------------------------------------------------------------------------------------
// Input shapes: Graph's rule types, every field optional but `@odata.type`; unknown fields refused.

const odataType = (type: string) => z.literal(type).optional();

const targetInput = z.strictObject({
  '@odata.type': odataType('#microsoft.graph.unifiedRoleManagementPolicyRuleTarget'),
  caller: z.string(),
  operations: z.array(z.string()),
  level: z.string(),
  inheritableSettings: z.array(z.string()).nullable().optional(),
  enforcedSettings: z.array(z.string()).nullable().optional(),
});

const common = {
  '@odata.type': z.string(),
  '@odata.context': z.string().optional(),
  id: z.string().optional(),
  target: targetInput.optional(),
};

const approverInput = z.discriminatedUnion('@odata.type', userSetSchema.options, {
  error: () =>
    `an approver is {"@odata.type": "${USER_SET_TYPES.singleUser}", "userId"}, ` +
    `{"@odata.type": "${USER_SET_TYPES.groupMembers}", "groupId"} or ` +
    `{"@odata.type": "${USER_SET_TYPES.groupOwners}", "groupId"}`,
});

const stageInput = z.strictObject({
  '@odata.type': odataType('#microsoft.graph.unifiedApprovalStage'),
  approvalStageTimeOutInDays: z.number().optional(),
  isApproverJustificationRequired: z.boolean().optional(),
  escalationTimeInMinutes: z.number().int().min(0).optional(),
  isEscalationEnabled: z.boolean().optional(),
  primaryApprovers: z.array(approverInput).optional(),
  escalationApprovers: z.array(approverInput).optional(),
});

const inputSchemas = {
  expiration: z.strictObject({
    ...common,
    isExpirationRequired: z.boolean().optional(),
    maximumDuration: z.string().optional(),
  }),
  enablement: z.strictObject({ ...common, enabledRules: z.array(enabledRuleSchema).optional() }),
  approval: z.strictObject({
    ...common,
    setting: z
      .strictObject({
        '@odata.type': odataType('#microsoft.graph.approvalSettings'),
        isApprovalRequired: z.boolean().optional(),
        isApprovalRequiredForExtension: z.boolean().optional(),
        isRequestorJustificationRequired: z.boolean().optional(),
        approvalMode: z.enum(['SingleStage', 'Serial', 'Parallel', 'NoApproval']).optional(),
        approvalStages: z.array(stageInput).optional(),
      })
      .optional(),
  }),
  authenticationContext: z.strictObject({
    ...common,
    isEnabled: z.boolean().optional(),
    claimValue: z.string().max(64).nullable().optional(),
  }),
  notification: z.strictObject({
    ...common,
    notificationType: z.literal('Email').optional(),
    recipientType: z.enum(['Admin', 'Requestor', 'Approver']).optional(),
    notificationLevel: z.enum(['None', 'Critical', 'All']).optional(),
    isDefaultRecipientsEnabled: z.boolean().optional(),
    notificationRecipients: z.array(z.email()).optional(),
  }),
};

/** Graph's samples write `@odata.type` both with and without the leading `#`: take either. */
function normalizeOdataTypes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalizeOdataTypes);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] =
      key === '@odata.type' && typeof v === 'string' && !v.startsWith('#') ? `#${v}` : normalizeOdataTypes(v);
  }
  return out;
}

function withoutOdata<T extends object>(o: T): Omit<T, '@odata.type' | '@odata.context'> {
  const copy: Record<string, unknown> = { ...(o as Record<string, unknown>) };
  delete copy['@odata.type'];
  delete copy['@odata.context'];
  return copy as Omit<T, '@odata.type' | '@odata.context'>;
}

function zodErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((i) => ({ field: ['body', ...i.path.map(String)].join('.'), message: i.message }));
}

/**
 * Merges a PATCH body into the stored rule and checks the result (everything but the directory). `scopeId` is the
 * policy's group.
 */
export function mergeRulePatch(
  definition: RuleDefinition,
  stored: PolicyRule,
  rawBody: unknown,
  scopeId: string,
): PatchOutcome {
  if (rawBody === null || typeof rawBody !== 'object' || Array.isArray(rawBody)) {
    return fail(
      'body',
      `Send the rule as a JSON object with "@odata.type": "${RULE_TYPES[definition.kind]}"`,
    );
  }
  const body = normalizeOdataTypes(rawBody) as Record<string, unknown>;
  const expectedType = RULE_TYPES[definition.kind];
  if (body['@odata.type'] === undefined) {
    return fail('body.@odata.type', `Give the rule's type: "${expectedType}"`);
  }
  if (body['@odata.type'] !== expectedType) {
    return fail(
      'body.@odata.type',
      `${definition.id} is a ${expectedType}, not ${JSON.stringify(body['@odata.type'])}`,
    );
  }
  const parsed = inputSchemas[definition.kind].safeParse(body);
  if (!parsed.success) return { ok: false, errors: zodErrors(parsed.error) };
  const input = parsed.data;

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
      const i = input as z.infer<typeof inputSchemas.expiration>;
      merged = {
        ...stored,
        ...(i.isExpirationRequired !== undefined && { isExpirationRequired: i.isExpirationRequired }),
        ...(i.maximumDuration !== undefined && { maximumDuration: i.maximumDuration }),
      };
      checkExpiration(definition, merged, errors);
      break;
    }
    case RULE_TYPES.enablement: {
      const i = input as z.infer<typeof inputSchemas.enablement>;
      const enabled = i.enabledRules ?? stored.enabledRules;
      merged = { ...stored, enabledRules: enabled };
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
      break;
    }
    case RULE_TYPES.approval: {
      const i = input as z.infer<typeof inputSchemas.approval>;
      merged = mergeApproval(stored, i.setting);
      checkApproval(merged, scopeId, errors);
      break;
    }
    case RULE_TYPES.authenticationContext: {
      const i = input as z.infer<typeof inputSchemas.authenticationContext>;
      merged = {
        ...stored,
        ...(i.isEnabled !== undefined && { isEnabled: i.isEnabled }),
        ...(i.claimValue !== undefined && { claimValue: i.claimValue }),
      };
      if (merged.isEnabled && !AUTH_CONTEXT.test(merged.claimValue ?? '')) {
        errors.push({
          field: 'body.claimValue',
          message: `An enabled authentication context needs claimValue c1 to c99 (the context's id in Conditional Access); got ${JSON.stringify(merged.claimValue)}`,
        });
      }
      break;
    }
    case RULE_TYPES.notification: {
      const i = input as z.infer<typeof inputSchemas.notification>;
      const recipients = i.notificationRecipients && dedupe(i.notificationRecipients);
      merged = {
        ...stored,
        ...(i.notificationLevel !== undefined && { notificationLevel: i.notificationLevel }),
        ...(i.isDefaultRecipientsEnabled !== undefined && {
          isDefaultRecipientsEnabled: i.isDefaultRecipientsEnabled,
        }),
        ...(recipients !== undefined && { notificationRecipients: recipients }),
      };
      if (i.recipientType !== undefined && i.recipientType !== stored.recipientType) {
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
      break;
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  const final = policyRuleSchema.safeParse(merged);
  if (!final.success) return { ok: false, errors: zodErrors(final.error) };
  return { ok: true, rule: final.data };
}

function checkExpiration(
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

type ApprovalSettingInput = z.infer<typeof inputSchemas.approval>['setting'];

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

function checkApproval(rule: ApprovalRule, scopeId: string, errors: FieldError[]) {
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
  if (s.isApprovalRequired && (!first || first.primaryApprovers.length === 0)) {
    errors.push({
      field: `${at}.approvalStages.0.primaryApprovers`,
      message: 'Approval is required: name at least one approver in the first stage',
    });
  }
  s.approvalStages.forEach((stage, index) => {
    const f = `${at}.approvalStages.${index}`;
    if (index > 0 && s.isApprovalRequired && stage.primaryApprovers.length === 0) {
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
    checkApprovers(stage.primaryApprovers, `${f}.primaryApprovers`, scopeId, errors);
    checkApprovers(stage.escalationApprovers, `${f}.escalationApprovers`, scopeId, errors);
  });
}

function checkApprovers(approvers: UserSet[], f: string, scopeId: string, errors: FieldError[]) {
  if (approvers.length > LIMITS.approvers) {
    errors.push({ field: f, message: `At most ${LIMITS.approvers} approvers` });
  }
  const seen = new Set<string>();
  approvers.forEach((approver, j) => {
    const key = approverKey(approver);
    if (seen.has(key)) errors.push({ field: `${f}.${j}`, message: 'This approver is listed twice' });
    seen.add(key);
    if (
      approver['@odata.type'] === USER_SET_TYPES.groupOwners &&
      approver.groupId.toLowerCase() !== scopeId
    ) {
      errors.push({
        field: `${f}.${j}.groupId`,
        message: `groupOwners approvers are the owners of this policy's own group: use groupId ${scopeId}`,
      });
    }
  });
}

function approverKey(a: UserSet): string {
  return `${a['@odata.type']}:${('userId' in a ? a.userId : a.groupId).toLowerCase()}`;
}

/** Checks that the approvers a rule names exist in the directory (users are users, groups are groups). */
export async function checkApproversExist(rule: PolicyRule, directory: Directory): Promise<FieldError[]> {
  if (rule['@odata.type'] !== RULE_TYPES.approval) return [];
  const errors: FieldError[] = [];
  const users: { id: string; field: string }[] = [];
  const groups: { id: string; field: string }[] = [];
  rule.setting.approvalStages.forEach((stage, i) => {
    for (const list of ['primaryApprovers', 'escalationApprovers'] as const) {
      stage[list].forEach((a, j) => {
        const field = `body.setting.approvalStages.${i}.${list}.${j}`;
        if (a['@odata.type'] === USER_SET_TYPES.singleUser)
          users.push({ id: a.userId, field: `${field}.userId` });
        else if (a['@odata.type'] === USER_SET_TYPES.groupMembers)
          groups.push({ id: a.groupId, field: `${field}.groupId` });
      });
    }
  });
  if (users.length > 0) {
    const found = await directory.getUsers(users.map((u) => u.id));
    for (const u of users) {
      if (!found[u.id]) errors.push({ field: u.field, message: `No user ${u.id} in the directory` });
    }
  }
  const groupsFound = await Promise.all(groups.map((g) => directory.getGroup(g.id)));
  groups.forEach((g, i) => {
    if (!groupsFound[i]) errors.push({ field: g.field, message: `No group ${g.id} in the directory` });
  });
  return errors;
}

function sameTarget(input: z.infer<typeof targetInput>, stored: RuleTarget): boolean {
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

function fail(field: string, message: string): PatchOutcome {
  return { ok: false, errors: [{ field, message }] };
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
