/**
 * One review of one role (a group role, or a Microsoft Entra directory role) in one occurrence of a series, as Graph's `accessReviewInstance`. The assignments it
 * reviews were snapshotted at its start into decision items (review-decision.ts); later changes show in the next
 * occurrence. Reviewers can be changed on the current instance (PATCH) without touching the series. Stored in
 * `accessReviewInstances`, partitioned by definition.
 */
import { z } from 'zod';
import { resourceIdSchema, resourceTypeSchema, roleIdSchema } from '../../access/resource';
import { decisionValueSchema } from './review-decision';
import { reviewerScopeSchema } from './review-definition';

/** Graph's statuses as pimflow uses them; Applying and Applied are the portal's. */
export const instanceStatusSchema = z.enum(['NotStarted', 'InProgress', 'Completed', 'Applying', 'Applied']);
export type InstanceStatus = z.infer<typeof instanceStatusSchema>;

/** Graph's accessReviewStage as pimflow runs it (NotStarted, InProgress, Completed). */
export const stageStatusSchema = z.enum(['NotStarted', 'InProgress', 'Completed']);

/** One stage of a multi-stage instance: its times, reviewers and which decisions move on, fixed at its start. */
export const instanceStageSchema = z.object({
  /** A GUID derived from the instance and the stage's `stageId` (Graph's stage id). */
  id: z.guid(),
  /** The definition's `stageSettings[].stageId`. */
  stageId: z.string(),
  startDateTime: z.iso.datetime(),
  endDateTime: z.iso.datetime(),
  status: stageStatusSchema,
  reviewers: z.array(reviewerScopeSchema),
  fallbackReviewers: z.array(reviewerScopeSchema),
  /** The decisions of this stage whose items go on to the next; null: all of them. */
  decisionsThatWillMoveToNextStage: z.array(decisionValueSchema).nullable(),
});
export type InstanceStage = z.infer<typeof instanceStageSchema>;

export const reviewInstanceSchema = z.object({
  /** A GUID derived from the definition, the occurrence and the role (`reviewInstanceId`). */
  id: z.guid(),
  definitionId: z.guid(),
  /** 0 for the first occurrence of the series. */
  occurrence: z.number().int().min(0),
  /** A group, or a directory role; absent on instances written before Entra roles (groups). */
  resourceType: resourceTypeSchema.optional(),
  /** The role this instance reviews: the group (or the directory scope) and `member`/`owner` (or the role definition). */
  groupId: resourceIdSchema,
  accessId: roleIdSchema,
  /** The group's name; for a directory role, the scope's ("Directory", or the administrative unit's). */
  groupDisplayName: z.string().nullable(),
  /** A directory role's display name, from the directory ("Application Administrator"). */
  roleDisplayName: z.string().nullable().optional(),
  startDateTime: z.iso.datetime(),
  endDateTime: z.iso.datetime(),
  status: instanceStatusSchema,
  /** This instance's reviewers: the series' at its start, changed by PATCH on the instance. */
  reviewers: z.array(reviewerScopeSchema),
  /** Fallback reviewers can be added while running, never removed. */
  fallbackReviewers: z.array(reviewerScopeSchema),
  /** User ids mailed at start or by reminders (Graph's `contactedReviewers`). */
  contactedReviewerIds: z.array(z.string()),
  stoppedBy: z.object({ id: z.string(), displayName: z.string().nullable() }).nullable(),
  completedDateTime: z.iso.datetime().nullable(),
  appliedDateTime: z.iso.datetime().nullable(),
  /** The review orchestration carrying it (`review-instance-{id}`). */
  orchestrationInstanceId: z.string(),
  /** A multi-stage review's stages, in order; absent for a single-stage review. */
  stages: z.array(instanceStageSchema).optional(),
});
export type ReviewInstance = z.infer<typeof reviewInstanceSchema>;
