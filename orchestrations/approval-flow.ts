/**
 * The approval part of a request's orchestration: open the approval (mails the first stage's approvers), then, stage
 * by stage, race the stage's decision against the requester canceling, the stage's deadline and — when the stage has
 * escalation — its escalation time (which mails the escalation approvers, who may then decide too, and the race goes
 * on). A deny ends the approval at any stage; an approval starts the next stage, or, at the last, approves the
 * request. A generator the request orchestration runs with `yield*`, so the approval's history lives in the request's
 * instance. Deterministic: activities do the I/O.
 */
import type { OrchestrationContext, Task, TimerTask } from 'durable-functions';
import { APPROVAL_ACTIVITIES as S } from '../shared/approvals/approval-activity-names';
import type { ApprovalStageInfo, StartStageResult } from '../shared/approvals/approval-service';
import { REQUEST_ACTIVITIES as A } from '../shared/requests/activity-names';
import {
  REQUEST_EVENTS,
  type ApprovalDecision,
  type ApprovalPolicy,
} from '../shared/requests/domain/schedule-request';

export type OpenApprovalResult = ApprovalStageInfo | { noApprovers: true };
export type ExpireApprovalResult =
  { outcome: 'TimedOut' } | { outcome: 'Decided'; decision: ApprovalDecision };

/** How an approval ended: the request orchestration turns this into the request's status. */
export type ApprovalOutcome =
  | { outcome: 'Approved'; decision: ApprovalDecision }
  | { outcome: 'Denied'; decision: ApprovalDecision }
  | { outcome: 'TimedOut' }
  | { outcome: 'Canceled' }
  | { outcome: 'NoApprovers' };

export function* runApproval(
  context: OrchestrationContext,
  ref: { requestId: string; groupId: string },
  policy: ApprovalPolicy,
): Generator<Task, ApprovalOutcome, unknown> {
  const opened = (yield context.df.callActivity(A.openApproval, { ...ref, policy })) as OpenApprovalResult;
  if ('noApprovers' in opened) return { outcome: 'NoApprovers' };
  context.df.setCustomStatus('PendingApproval');
  const approvalId = opened.approvalId;

  // One waiter per event name for the whole approval: a second waiter for the same name would leave the first open,
  // and an event could go to it. A consumed decision is replaced by a fresh waiter.
  let canceledEvent = context.df.waitForExternalEvent(REQUEST_EVENTS.cancel);
  let decided = context.df.waitForExternalEvent(REQUEST_EVENTS.approvalDecided);
  let stage: ApprovalStageInfo = opened;

  for (;;) {
    const deadline = context.df.createTimer(new Date(stage.expiresDateTime));
    let escalation: TimerTask | undefined = stage.escalationDateTime
      ? context.df.createTimer(new Date(stage.escalationDateTime))
      : undefined;
    const stopTimers = () => {
      if (!deadline.isCompleted) deadline.cancel();
      if (escalation && !escalation.isCompleted) escalation.cancel();
    };

    let decision: ApprovalDecision | undefined;
    while (!decision) {
      const canceled = canceledEvent;
      const first = yield context.df.Task.any(
        escalation ? [decided, canceled, deadline, escalation] : [decided, canceled, deadline],
      );
      if (escalation && first === escalation) {
        // Nobody decided in time: ask the escalation approvers (they may decide from now on), and keep waiting.
        escalation = undefined;
        yield context.df.callActivity(S.escalateApproval, { ...ref, approvalId, stepId: stage.stepId });
      } else if (first === decided) {
        const event = decided.result as Partial<ApprovalDecision> | null;
        decided = context.df.waitForExternalEvent(REQUEST_EVENTS.approvalDecided);
        // An earlier stage's decision arriving late (its deadline's expireApproval already returned it): not this
        // stage's; wait on. (An instance opened before stages existed has no stepId: any decision is its own.)
        const stepId = stage.stepId ?? event?.stepId;
        if (typeof stepId === 'string' && (!stage.stepId || event?.stepId === stage.stepId)) {
          // The event is a hint: the decision is what the approval document records (refused and audited if none).
          const recorded = (yield context.df.callActivity(A.readDecision, {
            ...ref,
            approvalId,
            stepId,
          })) as ApprovalDecision | null;
          if (recorded) decision = recorded;
        }
      } else if (first === canceled) {
        canceledEvent = context.df.waitForExternalEvent(REQUEST_EVENTS.cancel);
        const confirmed = (yield context.df.callActivity(A.confirmCancel, ref)) as { confirmed: boolean };
        if (!confirmed.confirmed) continue;
        stopTimers();
        yield context.df.callActivity(A.cancelApproval, { ...ref, approvalId });
        return { outcome: 'Canceled' };
      } else {
        // The stage's time ran out: unless a decision was recorded just before (its event still on the way), the
        // approval timed out.
        stopTimers();
        const expired = (yield context.df.callActivity(A.expireApproval, {
          ...ref,
          approvalId,
          stepId: stage.stepId,
        })) as ExpireApprovalResult;
        if (expired.outcome === 'TimedOut') return { outcome: 'TimedOut' };
        decision = expired.decision;
      }
    }
    stopTimers();

    if (decision.reviewResult === 'Deny') return { outcome: 'Denied', decision };
    if (!(stage.stage < stage.stageCount)) return { outcome: 'Approved', decision };
    const next = (yield context.df.callActivity(S.startApprovalStage, {
      ...ref,
      approvalId,
      afterStepId: decision.stepId,
    })) as StartStageResult;
    // Nothing to start (the approval ended some other way meanwhile): nothing was approved.
    if (next.outcome === 'Closed') return { outcome: 'TimedOut' };
    stage = next.stage;
  }
}
