/** What the definitions API accepts: a new definition (POST) and a series edit (PATCH). */
import { z } from 'zod';
import {
  defaultDecisionSchema,
  notificationRecipientSchema,
  recurrenceSchema,
  reviewDefinitionSchema,
  reviewerScopeSchema,
  reviewScopeSchema,
  reviewSettingsSchema,
  type ReviewScope,
} from './review-definition';
import { graphRoleQueryScopeSchema, parseGraphRoleScope } from './graph-role-scope';
import { eitherShape } from './reviewed-role';

const shape = reviewDefinitionSchema.shape;
const odataType = z.literal('#microsoft.graph.accessReviewScheduleDefinition').optional();
const reviewersSchema = z.array(reviewerScopeSchema).max(50);
const recipientsSchema = z.array(notificationRecipientSchema).max(50);

/** Graph's query scope for a privileged role, read into ours (what the definition stores and shows). */
const graphScopeSchema = graphRoleQueryScopeSchema.transform((s, ctx): ReviewScope => {
  const parsed = parseGraphRoleScope(s);
  if ('error' in parsed) {
    ctx.addIssue({ code: 'custom', message: parsed.error, path: ['query'] });
    return z.NEVER;
  }
  return parsed;
});

/** Ours (`#pimflow.groupRoleReviewScope`, or no type), or Graph's query scope for a privileged role. */
const createScopeSchema = eitherShape(
  (v) => typeof v['@odata.type'] === 'string' && v['@odata.type'].startsWith('#microsoft.graph.'),
  reviewScopeSchema,
  graphScopeSchema,
);

/** POST body: the definition minus what the server sets (id, status, createdBy, dates). */
export const definitionCreateSchema = z.strictObject({
  '@odata.type': odataType,
  displayName: shape.displayName,
  descriptionForAdmins: shape.descriptionForAdmins.default(null),
  descriptionForReviewers: shape.descriptionForReviewers.default(null),
  scope: createScopeSchema,
  reviewers: reviewersSchema.default([]),
  fallbackReviewers: reviewersSchema.default([]),
  additionalNotificationRecipients: recipientsSchema.default([]),
  settings: reviewSettingsSchema,
  stageSettings: shape.stageSettings,
});
export type DefinitionCreate = z.infer<typeof definitionCreateSchema>;

/** PATCH body: what a series edit may change. Settings are merged key by key. */
export const definitionPatchSchema = z
  .strictObject({
    '@odata.type': odataType,
    displayName: shape.displayName.optional(),
    descriptionForAdmins: shape.descriptionForAdmins.optional(),
    descriptionForReviewers: shape.descriptionForReviewers.optional(),
    /** Accepted by the schema only to be refused with a clear reason (the scope is fixed). */
    scope: z.unknown().optional(),
    reviewers: reviewersSchema.optional(),
    fallbackReviewers: reviewersSchema.optional(),
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
      })
      .optional(),
  })
  .refine((p) => Object.keys(p).some((k) => k !== '@odata.type'), {
    message: 'name at least one property to change',
  });
export type DefinitionPatch = z.infer<typeof definitionPatchSchema>;
