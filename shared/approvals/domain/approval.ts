/**
 * An approval of a PIM-for-Groups request, as Graph's `approval` with its `steps`
 * (`/identityGovernance/privilegedAccess/group/assignmentApprovals/{id}`), plus what pimflow needs to run it: who
 * may decide each step (resolved user ids), when each step expires, the overall status, and a snapshot of the request
 * as the approvers were shown it. Stored in the `approvals` container (adapters/approval-repository.ts), partitioned
 * by group; the id is the request's id (so `request.approvalId === request.id`, as in Graph). Written with ETags:
 * the first decision wins.
 */
import { z } from 'zod';
import type { Stored } from '../../storage/stored';
import { resourceTypeSchema, roleIdSchema } from '../../access/resource';
import type { ApprovalDecision } from '../../requests/domain/schedule-request';

const identitySchema = z.object({ id: z.string(), displayName: z.string().nullable() });

/** Graph's step statuses (`Initializing` aside), and NotStarted for a later stage of a serial approval. */
export const approvalStepStatusSchema = z.enum(['NotStarted', 'InProgress', 'Completed', 'Expired']);
export const reviewResultSchema = z.enum(['NotReviewed', 'Approve', 'Deny']);
export type ReviewResult = z.infer<typeof reviewResultSchema>;

/** A stage's escalation: after `afterMinutes` without a decision its escalation approvers are mailed and may decide. */
export const stepEscalationSchema = z.object({
  afterMinutes: z.number().int().nonnegative(),
  /** Resolved when the approval opened (user ids; the stage's approvers and the requester left out). */
  approverIds: z.array(z.string()),
  /** When the stage escalates: set when the stage starts. */
  dueDateTime: z.iso.datetime().nullable(),
  /** When it did escalate (the escalation approvers may decide from then on); null until then. */
  escalatedDateTime: z.iso.datetime().nullable(),
  /** Escalation approvers already mailed their link. */
  notifiedApproverIds: z.array(z.string()),
});
export type StepEscalation = z.infer<typeof stepEscalationSchema>;

export const approvalStepSchema = z.object({
  /** A GUID, as Graph's step ids. */
  id: z.string().min(1),
  displayName: z.string().nullable(),
  status: approvalStepStatusSchema,
  reviewResult: reviewResultSchema,
  reviewedBy: identitySchema.nullable(),
  reviewedDateTime: z.iso.datetime().nullable(),
  justification: z.string().nullable(),
  /** Who may decide this step: user object ids, resolved from the role settings when the step opened. */
  approverIds: z.array(z.string()),
  /**
   * When the step stops accepting decisions (and its e-mail links stop working). Null while the step is NotStarted
   * (a later stage of a serial approval): its time starts when the stage before it approves.
   */
  expiresDateTime: z.iso.datetime().nullable(),
  /** The stage's wait, from the role settings when the approval opened (absent: a fixed `expiresDateTime`). */
  timeOutInDays: z.number().positive().optional(),
  /** When the stage started (the step became InProgress). */
  startedDateTime: z.iso.datetime().nullable().optional(),
  /** The stage's escalation, when the role settings enable it; absent or null otherwise. */
  escalation: stepEscalationSchema.nullable().optional(),
  /** From the role settings when the step opened: must the approver say why? */
  isApproverJustificationRequired: z.boolean(),
  /** Approvers already mailed their link, so a re-run of openApproval mails nobody twice. */
  notifiedApproverIds: z.array(z.string()),
});
export type ApprovalStep = z.infer<typeof approvalStepSchema>;

/** `InProgress` until a step decides it (Approved, Denied), nobody decides in time (TimedOut), or it is Canceled. */
export const approvalStatusSchema = z.enum(['InProgress', 'Approved', 'Denied', 'TimedOut', 'Canceled']);
export type ApprovalStatus = z.infer<typeof approvalStatusSchema>;

/** The request as the approvers see it: taken when the approval opened, so pages and mails need no other reads. */
export const approvalRequestSnapshotSchema = z.object({
  action: z.string(),
  principalDisplayName: z.string().nullable(),
  groupDisplayName: z.string().nullable(),
  justification: z.string().nullable(),
  ticketNumber: z.string().nullable(),
  ticketSystem: z.string().nullable(),
  startDateTime: z.iso.datetime(),
  /** Null: no end (permanent). */
  endDateTime: z.iso.datetime().nullable(),
  /** Who submitted the request (the principal, for a self-activation). */
  createdById: z.string(),
});
export type ApprovalRequestSnapshot = z.infer<typeof approvalRequestSnapshotSchema>;

export const approvalSchema = z.object({
  /** The request's id. */
  id: z.string().min(1),
  groupId: z.string().min(1),
  requestId: z.string().min(1),
  /** The principal the request is for: never an approver of it. */
  requesterId: z.string().min(1),
  /** `member`/`owner`, or the directory role definition's id (../../access/resource.ts). */
  accessId: roleIdSchema,
  /** Absent on approvals written before Entra roles: a group's. */
  resourceType: resourceTypeSchema.optional(),
  status: approvalStatusSchema,
  createdDateTime: z.iso.datetime(),
  completedDateTime: z.iso.datetime().nullable(),
  request: approvalRequestSnapshotSchema,
  steps: z.array(approvalStepSchema).min(1),
  /** Ids (`jti`) of e-mail links that decided a step: each link acts once. */
  usedLinkIds: z.array(z.string()),
});
export type Approval = z.infer<typeof approvalSchema>;

export type StoredApproval = Stored<Approval>;

/** User ids compare without case (Graph's object ids are GUIDs, written either way). */
export function sameId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** The step a decision applies to now: the one in progress (one at a time: stages run one after the other). */
export function currentStep(approval: Approval): ApprovalStep | undefined {
  return approval.steps.find((s) => s.status === 'InProgress');
}

/** The step's escalation approvers, once the step has escalated (before that they can't decide). */
export function activeEscalationApproverIds(step: ApprovalStep): string[] {
  return step.escalation?.escalatedDateTime ? step.escalation.approverIds : [];
}

/** Everyone who may decide the step now: its approvers, and its escalation approvers once it escalated. */
export function deciderIds(step: ApprovalStep): string[] {
  return [...step.approverIds, ...activeEscalationApproverIds(step)];
}

/**
 * Whether the approval waits for this approver's decision now (their inbox): in progress, not their own request,
 * and they decide the stage in progress (its approvers, or its escalation approvers once it escalated).
 */
export function awaitsDecisionBy(approval: Approval, approverId: string): boolean {
  if (approval.status !== 'InProgress') return false;
  if (sameId(approval.requesterId, approverId) || sameId(approval.request.createdById, approverId))
    return false;
  const step = currentStep(approval);
  return step !== undefined && deciderIds(step).some((id) => sameId(id, approverId));
}

/** Everyone named on the step: its approvers and its escalation approvers (escalated or not). */
export function namedApproverIds(step: ApprovalStep): string[] {
  return [...step.approverIds, ...(step.escalation?.approverIds ?? [])];
}

/** Whom the step's mails reached: approvers and escalation approvers who were sent a link. */
export function notifiedIds(step: ApprovalStep): string[] {
  return [...step.notifiedApproverIds, ...(step.escalation?.notifiedApproverIds ?? [])];
}

/** The decision that ended the approval (the denying step, or the last stage's approval), if it was decided. */
export function finalStep(approval: Approval): ApprovalStep | undefined {
  if (approval.status !== 'Approved' && approval.status !== 'Denied') return undefined;
  return [...approval.steps].reverse().find((s) => s.reviewResult !== 'NotReviewed' && s.reviewedBy);
}

/** `Stage 2 of 3`, or null for a one-stage approval. */
export function stageLabel(approval: Approval, step: ApprovalStep): string | null {
  if (approval.steps.length < 2) return null;
  return `Stage ${approval.steps.findIndex((s) => s.id === step.id) + 1} of ${approval.steps.length}`;
}

/** A decided step as the decision the request orchestration acts on. */
export function decisionOf(approval: Approval, step: ApprovalStep): ApprovalDecision {
  return {
    approvalId: approval.id,
    stepId: step.id,
    reviewResult: step.reviewResult === 'Approve' ? 'Approve' : 'Deny',
    justification: step.justification,
    reviewedBy: { id: step.reviewedBy?.id ?? '', displayName: step.reviewedBy?.displayName ?? null },
    reviewedDateTime: step.reviewedDateTime ?? approval.completedDateTime ?? approval.createdDateTime,
  };
}

/** Who asked, by name when the approval knows it. */
export function requesterName(approval: Approval): string {
  return approval.request.principalDisplayName ?? approval.requesterId;
}

/** The group, by name when the approval knows it. */
export function groupName(approval: Approval): string {
  return approval.request.groupDisplayName ?? approval.groupId;
}
