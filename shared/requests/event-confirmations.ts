/**
 * The request orchestration's checks of the events it receives. Events are hints, never commands: each is believed
 * only when Cosmos DB backs it (a recorded approval decision, a recorded cancel, a stored end request or access
 * review decision); anything else is refused and audited.
 */
import { decisionAuditRecord } from '../approvals/domain/audit-records';
import type {
  ConfirmedCancel,
  ConfirmedEnd,
  ConfirmEndInput,
  ReadDecisionInput,
  RequestRef,
} from './contract';
import { recordedDecision } from './domain/request-integrity';
import type { ApprovalDecision } from './domain/schedule-request';
import { auditRefusal, type RequestActivityDeps } from './request-activity-deps';

export function createEventConfirmations(d: RequestActivityDeps) {
  return {
    /** The decision an ApprovalDecided event claims, if the approval document records it; else refused. */
    async readDecision(a: ReadDecisionInput): Promise<ApprovalDecision | null> {
      const request = await d.store.requests.find(a.requestId, a.groupId);
      const approval =
        a.approvalId === request?.approvalId ? await d.approvals.find(a.approvalId, a.groupId) : undefined;
      const decision = recordedDecision(approval, a.stepId, request);
      const step = approval?.steps.find((st) => st.id === a.stepId);
      if (decision && approval && step) {
        // The decision's own audit record, in case the process died between the decision's write and its record
        // (same id: a no-op when it was written).
        await d.audit.record(
          decisionAuditRecord(approval, step, {
            at: new Date(decision.reviewedDateTime),
            approver: decision.reviewedBy,
            via: 'recorded before an interruption',
          }),
        );
        return decision;
      }
      await auditRefusal(
        d,
        a,
        'approval decision not recorded by an approver',
        'The approval records no such decision',
        request?.principalId ?? null,
        { approvalId: a.approvalId, stepId: a.stepId },
      );
      return null;
    },

    /** A cancel the request records (POST .../cancel writes it before telling the orchestration). */
    async confirmCancel(a: RequestRef): Promise<ConfirmedCancel> {
      const request = await d.store.requests.find(a.requestId, a.groupId);
      if (request?.cancelRequested) return { confirmed: true, by: request.cancelRequested.by };
      await auditRefusal(
        d,
        a,
        'cancel not requested',
        'The request records no cancel',
        request?.principalId ?? null,
        {},
      );
      return { confirmed: false };
    },

    /**
     * An early end of the schedule this orchestration created (its id is the request's), if Cosmos DB backs it: a
     * stored end request naming the schedule (marked delivered), or an access review's Deny of this access.
     */
    async confirmEnd(a: ConfirmEndInput): Promise<ConfirmedEnd> {
      const schedule = await d.store.schedules.find(a.requestId, a.groupId);
      const e = a.event;
      if (schedule && e.endRequestId) {
        const end = await d.store.requests.find(e.endRequestId, a.groupId);
        if (
          end &&
          (end.action === 'selfDeactivate' || end.action === 'adminRemove') &&
          end.targetScheduleId === schedule.id
        ) {
          if (!end.deliveredDateTime) await d.store.markEndDelivered(end.id, end.groupId, d.clock.now());
          return {
            confirmed: true,
            by: { id: end.createdBy.user.id, displayName: end.createdBy.user.displayName ?? null },
            alreadyRevoked: false,
          };
        }
      }
      // A review's end names who applied it (`by`): one without is not the review's event.
      if (schedule && e.reviewDecision && e.by) {
        const item = await d.reviewDecisions.find(e.reviewDecision.decisionId, e.reviewDecision.instanceId);
        if (
          item &&
          item.decision === 'Deny' &&
          item.resource.groupId.toLowerCase() === schedule.groupId.toLowerCase() &&
          item.resource.accessId === schedule.accessId &&
          item.principal.id.toLowerCase() === schedule.principalId.toLowerCase()
        ) {
          return {
            confirmed: true,
            by: e.by,
            alreadyRevoked: e.alreadyRevoked === true && Boolean(item.applyAttemptedDateTime),
          };
        }
      }
      await auditRefusal(
        d,
        a,
        'end of access not backed by a stored request or review decision',
        'Nothing stored asks for this end',
        schedule?.principalId ?? null,
        {
          endRequestId: e.endRequestId ?? null,
          decisionId: e.reviewDecision?.decisionId ?? null,
        },
      );
      return { confirmed: false };
    },
  };
}
