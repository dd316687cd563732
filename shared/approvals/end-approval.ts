/**
 * An approval ending undecided: its stage's time ran out (expire), or the requester canceled. Both give way to a
 * decision recorded first — its event still on the way or lost — and return it, so the request proceeds on it.
 */
import { mailCancelNotice } from './approval-mails';
import type { ApprovalServices } from './approval-services';
import type { CancelApprovalResult, ExpireApprovalResult } from './contract';
import { currentStep, decisionOf, finalStep, type Approval } from './domain/approval';
import { canceledRecord, timedOutRecord } from './domain/audit-records';

/**
 * The orchestration's timer for a stage fired (`stepId`; without it, the stage in progress): marks the approval
 * TimedOut (that step Expired) — unless the step was decided first, its event still on its way or lost: then that
 * decision is returned, and the request proceeds on it (to the next stage, after an approval that isn't the last).
 * Idempotent.
 */
export async function expireApproval(
  services: Pick<ApprovalServices, 'approvals' | 'audit' | 'clock'>,
  input: { approvalId: string; groupId: string; stepId?: string; now?: Date },
): Promise<ExpireApprovalResult> {
  const now = input.now ?? services.clock.now();
  const stepOf = (a: Approval) =>
    input.stepId ? a.steps.find((s) => s.id === input.stepId) : currentStep(a);
  const result = await services.approvals.update(input.approvalId, input.groupId, (a) => {
    const step = stepOf(a);
    if (a.status !== 'InProgress' || step?.status !== 'InProgress') return undefined;
    return {
      ...a,
      status: 'TimedOut',
      completedDateTime: now.toISOString(),
      steps: a.steps.map((s) => (s.id === step.id ? { ...s, status: 'Expired' } : s)),
    };
  });
  const approval = result.approval;
  const step = input.stepId ? approval.steps.find((s) => s.id === input.stepId) : undefined;
  const decided = step && step.reviewResult !== 'NotReviewed' && step.reviewedBy ? step : finalStep(approval);
  if (decided) return { outcome: 'Decided', decision: decisionOf(approval, decided) };
  if (result.changed) {
    const expired = approval.steps.find((s) => s.status === 'Expired');
    await services.audit.record(timedOutRecord(approval, expired, now));
  }
  // A canceled approval has no decision either: for the orchestration that is "nothing was approved".
  return { outcome: 'TimedOut' };
}

/**
 * The requester canceled the request: marks the approval Canceled so its links stop working, and tells the
 * approvers who were mailed — unless it was already decided (the final decision is returned) or timed out.
 * Idempotent.
 */
export async function cancelApproval(
  services: ApprovalServices,
  input: { approvalId: string; groupId: string; now?: Date; by?: { id: string; displayName: string | null } },
): Promise<CancelApprovalResult> {
  const now = input.now ?? services.clock.now();
  const result = await services.approvals.update(input.approvalId, input.groupId, (a) =>
    a.status !== 'InProgress'
      ? undefined
      : {
          ...a,
          status: 'Canceled',
          completedDateTime: now.toISOString(),
          steps: a.steps.map((s) => (s.status === 'InProgress' ? { ...s, status: 'Completed' } : s)),
        },
  );
  const approval = result.approval;
  const decided = finalStep(approval);
  if (decided) return { outcome: 'Decided', decision: decisionOf(approval, decided) };
  if (approval.status === 'TimedOut') return { outcome: 'TimedOut' };
  await services.audit.record(canceledRecord(approval, now, input.by));
  if (result.changed) await mailCancelNotice(services, approval);
  return { outcome: 'Canceled' };
}
