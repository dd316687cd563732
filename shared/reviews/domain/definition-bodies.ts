/**
 * What the definitions API accepts: a new definition (POST), a replacement (PUT, Graph's update) and a series edit
 * (PATCH). The scope is ours or Graph's (read into ours, domain/graph-query-scope.ts; `graphScope` keeps it as
 * written); `backupReviewers` is Graph's older name of `fallbackReviewers`.
 */
import { z } from 'zod';
import {
  defaultDecisionSchema,
  notificationRecipientSchema,
  recurrenceSchema,
  reviewDefinitionSchema,
  reviewerScopeSchema,
  reviewScopeSchema,
  reviewSettingsSchema,
  type ReviewDefinition,
  type ReviewScope,
} from './review-definition';
import { graphQueryScopeSchema, graphScopeSchema, isGraphScope, readGraphScope } from './graph-query-scope';
import { eitherShape } from './reviewed-role';

const shape = reviewDefinitionSchema.shape;
const odataType = z.literal('#microsoft.graph.accessReviewScheduleDefinition').optional();
const reviewersSchema = z.array(reviewerScopeSchema).max(50);
const recipientsSchema = z.array(notificationRecipientSchema).max(50);

/** Ours (`#pimflow.groupRoleReviewScope`, or no type), or Graph's (a query, or a `#microsoft.graph.*` type). */
const writtenScopeSchema = eitherShape(isGraphScope, reviewScopeSchema, graphScopeSchema);

/** The fields a definition is written with (POST, and PUT's writable ones), before the scope is read. */
const writtenShape = {
  '@odata.type': odataType,
  displayName: shape.displayName,
  descriptionForAdmins: shape.descriptionForAdmins.default(null),
  descriptionForReviewers: shape.descriptionForReviewers.default(null),
  scope: writtenScopeSchema,
  instanceEnumerationScope: graphQueryScopeSchema.nullable().optional(),
  reviewers: reviewersSchema.default([]),
  fallbackReviewers: reviewersSchema.optional(),
  /** Graph's older name of fallbackReviewers (Graph fills either from the other). */
  backupReviewers: reviewersSchema.optional(),
  additionalNotificationRecipients: recipientsSchema.default([]),
  settings: reviewSettingsSchema,
  stageSettings: shape.stageSettings,
};

type Written = z.output<z.ZodObject<typeof writtenShape>>;

/** The definition's content: our scope read from what was written (Graph's kept as written), one fallback list. */
function readWritten(
  { scope, instanceEnumerationScope, backupReviewers, fallbackReviewers, ...rest }: Written,
  ctx: z.RefinementCtx,
) {
  const fallback = oneFallbackList(fallbackReviewers, backupReviewers);
  if (typeof fallback === 'string') {
    ctx.addIssue({ code: 'custom', message: fallback, path: ['backupReviewers'] });
    return z.NEVER;
  }
  const content = { ...rest, fallbackReviewers: fallback };
  if (!('query' in scope) && !('principalScopes' in scope)) {
    if (instanceEnumerationScope)
      ctx.addIssue({
        code: 'custom',
        message:
          'instanceEnumerationScope goes with a Graph query scope; #pimflow.groupRoleReviewScope names its roles',
        path: ['instanceEnumerationScope'],
      });
    return { ...content, scope: scope as ReviewScope, graphScope: undefined };
  }
  const read = readGraphScope(scope, instanceEnumerationScope ?? null);
  if ('error' in read) {
    ctx.addIssue({ code: 'custom', message: read.error, path: ['scope'] });
    return z.NEVER;
  }
  const graphScope: NonNullable<ReviewDefinition['graphScope']> = {
    scope: scope as Record<string, unknown>,
    instanceEnumerationScope: instanceEnumerationScope ?? null,
  };
  return { ...content, scope: read, graphScope };
}

function oneFallbackList<T>(fallback: T[] | undefined, backup: T[] | undefined): T[] | string {
  if (fallback && backup && JSON.stringify(fallback) !== JSON.stringify(backup))
    return 'backupReviewers is the older name of fallbackReviewers: send one of them, or the same list in both';
  return fallback ?? backup ?? [];
}

/** POST body: the definition minus what the server sets (id, status, createdBy, dates). */
export const definitionCreateSchema = z.strictObject(writtenShape).transform(readWritten);
export type DefinitionCreate = z.infer<typeof definitionCreateSchema>;

/**
 * PUT body (Graph's update): the whole definition, as a GET answers it or as created. The read-only properties a
 * GET shows may come back and are ignored (an `id` must be this one); the scope must be the one it has.
 */
export const definitionReplaceSchema = z
  .strictObject({
    ...writtenShape,
    '@odata.context': z.string().optional(),
    id: z.string().optional(),
    status: z.string().optional(),
    createdBy: z.unknown().optional(),
    createdDateTime: z.string().optional(),
    lastModifiedDateTime: z.string().optional(),
  })
  .transform(
    (
      {
        '@odata.context': _c,
        status: _s,
        createdBy: _b,
        createdDateTime: _cd,
        lastModifiedDateTime: _m,
        id,
        ...written
      },
      ctx,
    ) => {
      const content = readWritten(written, ctx);
      return { ...content, id };
    },
  );
export type DefinitionReplace = z.infer<typeof definitionReplaceSchema>;

/** PATCH body: what a series edit may change. Settings are merged key by key. */
export const definitionPatchSchema = z
  .strictObject({
    '@odata.type': odataType,
    displayName: shape.displayName.optional(),
    descriptionForAdmins: shape.descriptionForAdmins.optional(),
    descriptionForReviewers: shape.descriptionForReviewers.optional(),
    /** Accepted by the schema only to be refused with a clear reason (the scope is fixed). */
    scope: z.unknown().optional(),
    instanceEnumerationScope: z.unknown().optional(),
    reviewers: reviewersSchema.optional(),
    fallbackReviewers: reviewersSchema.optional(),
    backupReviewers: reviewersSchema.optional(),
    additionalNotificationRecipients: recipientsSchema.optional(),
    /** Replaces the stages for occurrences that start after the edit. */
    stageSettings: shape.stageSettings,
    settings: z
      .strictObject({
        instanceDurationInDays: z.number().int().min(1).max(365).optional(),
        recurrence: recurrenceSchema.nullable().optional(),
        autoApplyDecisionsEnabled: z.boolean().optional(),
        defaultDecisionEnabled: z.boolean().optional(),
        defaultDecision: defaultDecisionSchema.optional(),
        recommendationsEnabled: z.boolean().optional(),
        recommendationLookBackDuration: z.string().optional(),
        justificationRequiredOnApproval: z.boolean().optional(),
        mailNotificationsEnabled: z.boolean().optional(),
        reminderNotificationsEnabled: z.boolean().optional(),
        decisionHistoriesForReviewersEnabled: z.boolean().optional(),
        applyActions: reviewSettingsSchema.shape.applyActions,
      })
      .optional(),
  })
  .refine((p) => Object.keys(p).some((k) => k !== '@odata.type'), {
    message: 'name at least one property to change',
  })
  .transform(({ backupReviewers, fallbackReviewers, ...rest }, ctx) => {
    const fallback =
      fallbackReviewers || backupReviewers ? oneFallbackList(fallbackReviewers, backupReviewers) : undefined;
    if (typeof fallback === 'string') {
      ctx.addIssue({ code: 'custom', message: fallback, path: ['backupReviewers'] });
      return z.NEVER;
    }
    return { ...rest, fallbackReviewers: fallback };
  });
export type DefinitionPatch = z.infer<typeof definitionPatchSchema>;
