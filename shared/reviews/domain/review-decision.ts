/**
 * One reviewed assignment of one instance, as Graph's `accessReviewInstanceDecisionItem`: the principal, the group
 * role (the resource), the recommendation with its evidence, the decision and who took it, and what applying it did.
 * Decisions live in Cosmos (`accessReviewDecisions`, partitioned by instance), never in orchestration history: a
 * review of 10,000 principals is 10,000 documents, not 10,000 events.
 */
import { z } from 'zod';
import { resourceIdSchema, resourceTypeSchema, roleIdSchema } from '../../access/resource';

export const decisionValueSchema = z.enum(['Approve', 'Deny', 'NotReviewed', 'DontKnow']);
export type DecisionValue = z.infer<typeof decisionValueSchema>;
export const recommendationSchema = z.enum(['Approve', 'Deny', 'NoInfoAvailable']);
export const applyResultSchema = z.enum([
  'New',
  'AppliedSuccessfully',
  'AppliedWithUnknownFailure',
  'AppliedSuccessfullyButObjectNotFound',
  'ApplyNotSupported',
]);
export type ApplyResult = z.infer<typeof applyResultSchema>;

const identitySchema = z.object({
  id: z.string(),
  displayName: z.string().nullable(),
  userPrincipalName: z.string().nullable().optional(),
});

/** A multi-stage item's decision in a stage it has left (moved on from). */
export const stageDecisionRecordSchema = z.object({
  stageId: z.string(),
  decision: decisionValueSchema,
  justification: z.string().max(1000).nullable(),
  reviewedBy: identitySchema.nullable(),
  reviewedDateTime: z.iso.datetime().nullable(),
  reviewerIds: z.array(z.string()),
});
export type StageDecisionRecord = z.infer<typeof stageDecisionRecordSchema>;

export const reviewDecisionSchema = z.object({
  /** A GUID derived from the instance and the schedule reviewed (`reviewDecisionId`): re-snapshotting can't duplicate. */
  id: z.guid(),
  instanceId: z.guid(),
  definitionId: z.guid(),
  /**
   * Graph's `accessReviewId`: the instance's id. Documents written before hold the definition's; the API answers
   * `instanceId` (http/decision-view.ts), so both read right.
   */
  accessReviewId: z.guid(),
  principal: identitySchema.extend({ type: z.enum(['user', 'group', 'servicePrincipal']) }),
  /**
   * The role reviewed: a group role, or a directory or Azure role (`groupId` the directory scope or the ARM scope,
   * `accessId` the role definition, `displayName` the role's name, `scopeDisplayName` the ARM scope's).
   */
  resource: z.object({
    resourceType: resourceTypeSchema.optional(),
    groupId: resourceIdSchema,
    accessId: roleIdSchema,
    displayName: z.string().nullable(),
    scopeDisplayName: z.string().nullable().optional(),
  }),
  /**
   * Azure roles: the security group assigned the role when the principal holds it as a direct member of that group
   * (the group is expanded: each member is an item). Denying such an item doesn't remove the user from the group —
   * the group may carry other access — so its apply is `ApplyNotSupported`, left to an admin. Absent: direct.
   */
  accessThroughGroup: z
    .object({
      id: z.string(),
      displayName: z.string().nullable(),
      /** How the group holds the role: a pimflow schedule, or an ARM role assignment made outside pimflow. */
      scheduleId: z.string().nullable(),
      roleAssignmentId: z.string().nullable(),
    })
    .nullable()
    .optional(),
  /**
   * The schedule reviewed (eligible or active); applying a Deny ends it through the PIM layer. A directory role
   * assignment made outside pimflow has no schedule: its `roleAssignmentId` is set, and this is a GUID derived from
   * it (`outsideAssignmentKey`; the API shows null).
   */
  scheduleId: z.guid(),
  /**
   * A role assignment made outside pimflow — Graph's unifiedRoleAssignment id, or ARM's role assignment id — (for
   * an item through a group, the group's assignment); applying a Deny removes it (not the group's).
   */
  roleAssignmentId: z.string().nullable().optional(),
  assignmentType: z.enum(['eligible', 'active']),
  /** The principal's last sign-in (evidence for the recommendation); null: never, or not a user. */
  lastSignInDateTime: z.iso.datetime({ offset: true }).nullable(),
  recommendation: recommendationSchema,
  decision: decisionValueSchema,
  justification: z.string().max(1000).nullable(),
  reviewedBy: identitySchema.nullable(),
  reviewedDateTime: z.iso.datetime().nullable(),
  /** Who may decide this item: user ids (selected users, the principal for self-review, the manager or fallback). */
  reviewerIds: z.array(z.string()),
  applyResult: applyResultSchema,
  appliedBy: identitySchema.nullable(),
  appliedDateTime: z.iso.datetime().nullable(),
  /**
   * Set by the apply before it touches Graph or the schedule: a re-run after a crash then knows that a schedule it
   * finds ended was ended by this apply (AppliedSuccessfully), not before it (AppliedSuccessfullyButObjectNotFound).
   */
  applyAttemptedDateTime: z.iso.datetime().nullable().optional(),
  /**
   * Multi-stage reviews: the stage the item is in (or ended in) — the decision fields above are that stage's, and
   * final once it has closed; `stageIds` every stage it has been in, `stageHistory` its decisions in the stages it
   * moved on from. Absent in single-stage reviews.
   */
  stageId: z.string().optional(),
  stageIds: z.array(z.string()).optional(),
  stageHistory: z.array(stageDecisionRecordSchema).optional(),
});
export type ReviewDecision = z.infer<typeof reviewDecisionSchema>;
