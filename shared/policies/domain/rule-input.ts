/**
 * `PATCH .../rules/{ruleId}`, the body's shape: the rule with its `@odata.type` (as Graph takes it; what a GET
 * returned can be sent back as is), every other field optional, unknown fields refused. Graph's rule types as zod
 * schemas, and the first checks of a body (an object, of this rule's type, in this shape).
 */
import { z } from 'zod';
import { graphEnum } from '../../graph-enum';
import { enabledRuleSchema, RULE_TYPES, USER_SET_TYPES, userSetSchema, type RuleDefinition } from './rules';

export interface FieldError {
  field: string;
  message: string;
}

const odataType = (type: string) => z.literal(type).optional();

/** Graph's values for a rule target (case-insensitive, as Graph's enums: its examples send `["all"]` and `["All"]`). */
const TARGET_OPERATIONS = [
  'All',
  'Activate',
  'Deactivate',
  'Assign',
  'Update',
  'Remove',
  'Extend',
  'Renew',
] as const;

export const targetInput = z.strictObject({
  '@odata.type': odataType('#microsoft.graph.unifiedRoleManagementPolicyRuleTarget'),
  caller: graphEnum(['None', 'Admin', 'EndUser']),
  operations: z.array(graphEnum(TARGET_OPERATIONS)),
  level: graphEnum(['Eligibility', 'Assignment']),
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

export const inputSchemas = {
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

export function withoutOdata<T extends object>(o: T): Omit<T, '@odata.type' | '@odata.context'> {
  const copy: Record<string, unknown> = { ...(o as Record<string, unknown>) };
  delete copy['@odata.type'];
  delete copy['@odata.context'];
  return copy as Omit<T, '@odata.type' | '@odata.context'>;
}

export function zodErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((i) => ({ field: ['body', ...i.path.map(String)].join('.'), message: i.message }));
}

export type RuleKind = keyof typeof inputSchemas;
/** The input of one kind of rule (the body was parsed with that kind's schema). */
export type RuleInputOf<K extends RuleKind> = z.infer<(typeof inputSchemas)[K]>;
export type RuleInput = RuleInputOf<RuleKind>;
export type TargetInput = z.infer<typeof targetInput>;
export type ApprovalSettingInput = z.infer<typeof inputSchemas.approval>['setting'];

/** The body as this rule's input shape, or what is wrong with it. */
export function parseRuleInput(
  definition: RuleDefinition,
  rawBody: unknown,
): { ok: true; input: RuleInput } | { ok: false; errors: FieldError[] } {
  const expectedType = RULE_TYPES[definition.kind];
  if (rawBody === null || typeof rawBody !== 'object' || Array.isArray(rawBody)) {
    return fail('body', `Send the rule as a JSON object with "@odata.type": "${expectedType}"`);
  }
  const body = normalizeOdataTypes(rawBody) as Record<string, unknown>;
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
  return { ok: true, input: parsed.data };
}

function fail(field: string, message: string): { ok: false; errors: FieldError[] } {
  return { ok: false, errors: [{ field, message }] };
}
