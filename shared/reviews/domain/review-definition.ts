/**
 * An access review series, as Graph's `accessReviewScheduleDefinition`, over the group roles and Microsoft Entra
 * directory roles pimflow manages. Field names are Graph's; the scope is ours (Graph's is a query, read into ours by
 * domain/graph-role-scope.ts): the selected roles, which assignments (eligible, active, both), which kinds of
 * principal, and optionally only users inactive for N days. Reviewers use Graph's
 * reviewer-scope shapes: `/users/{id}` (selected users), `./manager` with `queryRoot: decisions` (each principal's
 * manager), or none (self-review). Stored in `accessReviewDefinitions`, partitioned by id.
 */
import { z } from 'zod';
import { graphEnum } from '../../graph-enum';
import { scopeRoleSchema } from './reviewed-role';

/** Graph's accessReviewReviewerScope, limited to the queries pimflow resolves. */
export const reviewerScopeSchema = z.object({
  '@odata.type': z.literal('#microsoft.graph.accessReviewReviewerScope').optional(),
  query: z.string().min(1).max(400),
  queryType: z.literal('MicrosoftGraph').optional().default('MicrosoftGraph'),
  queryRoot: z.string().nullable().optional(),
});
export type ReviewerScope = z.infer<typeof reviewerScopeSchema>;

/** What a reviewer scope means, once parsed (see `parseReviewers`). */
export type ReviewerRule = { kind: 'user'; id: string } | { kind: 'manager' } | { kind: 'self' };

const USER_QUERY = /^\/(?:v1\.0\/)?users\/([0-9a-fA-F-]{36})$/;

/** `/users/{id}` → a user; `./manager` (queryRoot `decisions`) → the principal's manager; [] → self-review. */
export function parseReviewers(scopes: readonly ReviewerScope[]): ReviewerRule[] | { error: string } {
  if (scopes.length === 0) return [{ kind: 'self' }];
  const rules: ReviewerRule[] = [];
  for (const s of scopes) {
    const user = USER_QUERY.exec(s.query);
    if (user?.[1]) rules.push({ kind: 'user', id: user[1].toLowerCase() });
    else if (s.query === './manager') {
      if (s.queryRoot && s.queryRoot !== 'decisions')
        return { error: `./manager needs queryRoot "decisions"` };
      rules.push({ kind: 'manager' });
    } else return { error: `Unsupported reviewer query "${s.query}": use /users/{id} or ./manager` };
  }
  if (rules.some((r) => r.kind === 'manager') && rules.length > 1)
    return { error: './manager cannot be combined with other reviewers' };
  return rules;
}

/**
 * Our scope of a review: the selected roles — group roles `{ groupId, accessId }` and directory roles
 * `{ roleDefinitionId, directoryScopeId }` — and which of their assignments and principals.
 */
export const reviewScopeSchema = z.strictObject({
  '@odata.type': z.literal('#pimflow.groupRoleReviewScope').optional(),
  /** Each selected role gets its own instance per occurrence. */
  roles: z.array(scopeRoleSchema).min(1).max(50),
  /** Which assignments are reviewed: eligible ones, active ones (assigned or activated), or both. */
  assignmentTypes: z.enum(['eligible', 'active', 'both']).default('both'),
  principalTypes: z
    .array(z.enum(['user', 'group', 'servicePrincipal']))
    .min(1)
    .default(['user', 'group', 'servicePrincipal']),
  /** Only users with no sign-in for this many days (1–730); null: everyone. */
  inactiveDurationInDays: z.number().int().min(1).max(730).nullable().default(null),
});
export type ReviewScope = z.infer<typeof reviewScopeSchema>;

const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;

/**
 * A date as Graph's recurrenceRange keeps it. Graph's own examples send a date-time (`2020-09-08T12:02:30.667Z`) and
 * answer its date: the date part as written is kept.
 */
const rangeDateSchema = z
  .union([z.iso.date(), z.iso.datetime({ offset: true, local: true })], {
    message: 'must be a date (2026-06-01) or a date-time (2026-06-01T00:00:00Z)',
  })
  .transform((v) => v.slice(0, 10));

/**
 * Graph's patternedRecurrence. Reviews recur `weekly` or `absoluteMonthly` (what Graph supports for reviews); the
 * other fields are accepted, and answered with Graph's defaults when not given (recurrenceView).
 */
export const recurrenceSchema = z.strictObject({
  /** null: a one-time review starting on the range's startDate (Graph's tutorial writes one-time reviews so). */
  pattern: z
    .strictObject({
      type: graphEnum(['weekly', 'absoluteMonthly']),
      /** Weeks or months between occurrences: monthly 1, quarterly 3, semi-annually 6, annually 12. */
      interval: z.number().int().min(1).max(12),
      /** 0: not set (Graph's default). */
      dayOfMonth: z.number().int().min(0).max(31).optional(),
      daysOfWeek: z.array(graphEnum(DAYS)).max(7).optional(),
      month: z.number().int().min(0).max(12).optional(),
      index: graphEnum(['first', 'second', 'third', 'fourth', 'last']).optional(),
      firstDayOfWeek: graphEnum(DAYS).optional(),
    })
    .nullable(),
  range: z.strictObject({
    type: graphEnum(['noEnd', 'endDate', 'numbered']),
    startDate: rangeDateSchema,
    endDate: rangeDateSchema.nullable().optional(),
    numberOfOccurrences: z.number().int().min(0).max(1000).optional(),
    recurrenceTimeZone: z.string().max(100).nullable().optional(),
  }),
});
export type Recurrence = z.infer<typeof recurrenceSchema>;
export type SeriesRecurrence = Recurrence & { pattern: NonNullable<Recurrence['pattern']> };

/** The recurrence of a series (a pattern); undefined for a one-time review (none, or no pattern). */
export function seriesRecurrence(r: Recurrence | null | undefined): SeriesRecurrence | undefined {
  return r?.pattern ? (r as SeriesRecurrence) : undefined;
}

/** A recurrence as Graph answers it: every field of the pattern and the range, Graph's defaults where not set. */
export function recurrenceView(r: Recurrence) {
  return {
    pattern: r.pattern && {
      type: r.pattern.type,
      interval: r.pattern.interval,
      month: r.pattern.month ?? 0,
      dayOfMonth: r.pattern.dayOfMonth ?? 0,
      daysOfWeek: r.pattern.daysOfWeek ?? [],
      firstDayOfWeek: r.pattern.firstDayOfWeek ?? 'sunday',
      index: r.pattern.index ?? 'first',
    },
    range: {
      type: r.range.type,
      numberOfOccurrences: r.range.numberOfOccurrences ?? 0,
      recurrenceTimeZone: r.range.recurrenceTimeZone ?? null,
      startDate: r.range.startDate,
      endDate: r.range.endDate ?? null,
    },
  };
}

/** `None` (Graph's): nobody's decision is taken for items not reviewed. Any casing in, Graph's out. */
export const defaultDecisionSchema = graphEnum(['None', 'Approve', 'Deny', 'Recommendation']);

export const reviewSettingsSchema = z.strictObject({
  /** Each instance lasts this many days; shorter than the interval between occurrences. */
  instanceDurationInDays: z.number().int().min(1).max(365),
  /** Absent: a one-time review. */
  recurrence: recurrenceSchema.nullable().optional(),
  autoApplyDecisionsEnabled: z.boolean().default(false),
  defaultDecisionEnabled: z.boolean().default(false),
  defaultDecision: defaultDecisionSchema.default('Recommendation'),
  recommendationsEnabled: z.boolean().default(false),
  /** ISO 8601 duration, default 30 days. */
  recommendationLookBackDuration: z.string().default('P30D'),
  justificationRequiredOnApproval: z.boolean().default(false),
  mailNotificationsEnabled: z.boolean().default(false),
  reminderNotificationsEnabled: z.boolean().default(false),
  /**
   * Graph's: reviewers of a later stage see the earlier stages' decisions (multi-stage reviews). Stored and answered;
   * without stages it changes nothing. Absent (documents written before it): false.
   */
  decisionHistoriesForReviewersEnabled: z.boolean().optional(),
  /**
   * Graph's: what applying does. Apply removes access (`removeAccessApplyAction`, Graph's default); disabling and
   * deleting users is not pimflow's to do.
   */
  applyActions: z
    .array(
      z.strictObject({
        '@odata.type': z.literal('#microsoft.graph.removeAccessApplyAction', {
          message:
            'pimflow applies a Deny by removing the access: only #microsoft.graph.removeAccessApplyAction',
        }),
      }),
    )
    .max(1)
    .optional(),
});
export type ReviewSettings = z.infer<typeof reviewSettingsSchema>;

/** Graph's accessReviewNotificationRecipientItem with a `/users/{id}` scope (or an e-mail address, ours). */
export const notificationRecipientSchema = z.object({
  notificationTemplateType: z.enum(['CompletedAdditionalRecipients']).optional(),
  notificationRecipientScope: z.object({
    '@odata.type': z.string().optional(),
    query: z.string().min(1).max(400).optional(),
    queryType: z.string().optional(),
    emailAddress: z.email().optional(),
  }),
});

/**
 * Which decisions of a stage send its items on to the next stage (Graph's values; `Recommendation` is Graph's too,
 * read by the checks only to be refused with a reason — domain/review-stages.ts).
 */
export const stageDecisionSchema = graphEnum(
  ['Approve', 'Deny', 'NotReviewed', 'DontKnow', 'Recommendation'],
  {
    message: "must be 'Approve', 'Deny', 'NotReviewed' or 'DontKnow'",
  },
);

/** Graph's accessReviewStageSettings: one stage of a multi-stage review (checked by domain/review-stages.ts). */
export const stageSettingsSchema = z.strictObject({
  '@odata.type': z.literal('#microsoft.graph.accessReviewStageSettings').optional(),
  stageId: z.string().min(1).max(64),
  /** The stage before this one; empty for the first (only sequential stages, as in Graph). */
  dependsOn: z.array(z.string()).max(3).default([]),
  durationInDays: z.number().int().min(1).max(365),
  recommendationsEnabled: z.boolean().optional(),
  recommendationLookBackDuration: z.string().optional(),
  recommendationInsightSettings: z.array(z.unknown()).max(10).optional(),
  /** Absent: every decision moves on (Graph's default). Read on the stage whose decisions move. */
  decisionsThatWillMoveToNextStage: z.array(stageDecisionSchema).max(5).optional(),
  reviewers: z.array(reviewerScopeSchema).max(50).default([]),
  fallbackReviewers: z.array(reviewerScopeSchema).max(50).default([]),
});
export type StageSettings = z.infer<typeof stageSettingsSchema>;

export const definitionStatusSchema = z.enum(['NotStarted', 'InProgress', 'Completed']);

export const reviewDefinitionSchema = z.object({
  id: z.guid(),
  displayName: z.string().min(1).max(256),
  descriptionForAdmins: z.string().max(1024).nullable(),
  /** Shown in reviewer mails (the first 256 characters) and on the review page. */
  descriptionForReviewers: z.string().max(1024).nullable(),
  /** Ours: what the reviews run on (a Graph query scope is read into it, domain/graph-query-scope.ts). */
  scope: reviewScopeSchema,
  /**
   * A Graph scope as the caller wrote it (`scope` and `instanceEnumerationScope`), answered instead of ours: Graph
   * clients read back what they sent. Absent when the caller wrote our scope.
   */
  graphScope: z
    .object({ scope: z.record(z.string(), z.unknown()), instanceEnumerationScope: z.unknown().nullable() })
    .optional(),
  reviewers: z.array(reviewerScopeSchema).max(50),
  fallbackReviewers: z.array(reviewerScopeSchema).max(50),
  additionalNotificationRecipients: z.array(notificationRecipientSchema).max(50),
  settings: reviewSettingsSchema,
  /** A multi-stage review's stages (1–3, in order); absent: one stage, the definition's reviewers. */
  stageSettings: z.array(stageSettingsSchema).min(1).max(3).optional(),
  status: definitionStatusSchema,
  createdBy: z.object({
    id: z.string(),
    displayName: z.string().nullable(),
    userPrincipalName: z.string().nullable(),
  }),
  createdDateTime: z.iso.datetime(),
  lastModifiedDateTime: z.iso.datetime(),
  /** The series orchestration (`review-series-{id}`). */
  orchestrationInstanceId: z.string(),
});
export type ReviewDefinition = z.infer<typeof reviewDefinitionSchema>;
