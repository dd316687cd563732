/**
 * One review of one role (a group role, or a Microsoft Entra directory role) in one occurrence of a series, as Graph's `accessReviewInstance`. The assignments it
 * reviews were snapshotted at its start into decision items (review-decision.ts); later changes show in the next
 * occurrence. Reviewers can be changed on the current instance (PATCH) without touching the series. Stored in
 * `accessReviewInstances`, partitioned by definition.
 */
import { z } from 'zod';
import { resourceIdSchema, resourceTypeSchema, roleIdSchema } from '../../access/resource';
import { reviewerScopeSchema } from './review-definition';

/** Graph's statuses as pimflow uses them; Applying and Applied are the portal's. */
export const instanceStatusSchema = z.enum(['NotStarted', 'InProgress', 'Completed', 'Applying', 'Applied']);
export type InstanceStatus = z.infer<typeof instanceStatusSchema>;

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
});
export type ReviewInstance = z.infer<typeof reviewInstanceSchema>;
