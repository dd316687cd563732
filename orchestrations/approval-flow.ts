/**
 * The approval part of a request's orchestration: open the approval (mails the first stage's approvers), then, stage
 * by stage, race the stage's decision against the requester canceling, the stage's deadline and — when the stage has
 * escalation — its escalation time (which mails the escalation approvers, who may then decide too, and the race goes
 * on). A deny ends the approval at any stage; an approval starts the next stage, or, at the last, approves the
 * request. A generator the request orchestration runs with `yield*`, so the approval's history lives in the request's
 * instance. Deterministic: activities do the I/O.
 */
import type { OrchestrationContext, Task, TimerTask } from 'durable-functions';
import { call, eventTask, resultOf } from '../shared/durable/activity';
import {
  ApprovalActivity,
  type ApprovalDecision,
  type ApprovalPolicy,
  type ApprovalRef,
  type ApprovalStageInfo,
} from '../shared/approvals/contract';
import { RequestActivity, RequestEvent } from '../shared/requests/contract';

/** How an approval ended: the request orchestration turns this into the request's status. */
export type ApprovalOutcome =
  | { outcome: 'Approved'; decision: ApprovalDecision }
  | { outcome: 'Denied'; decision: ApprovalDecision }
  | { outcome: 'TimedOut' }
  | { outcome: 'Canceled' }
  | { outcome: 'NoApprovers' };

export function* runApproval(
  context: OrchestrationContext,
  ref: ApprovalRef,
  policy: ApprovalPolicy,
): Generator<Task, ApprovalOutcome, unknown> {
  const opened = yield* call(context, ApprovalActivity.openApproval, { ...ref, policy });
  if ('noApprovers' in opened) return { outcome: 'NoApprovers' };
  context.df.setCustomStatus('PendingApproval');
  const approvalId = opened.approvalId;

  // One waiter per event name for the whole approval: a second waiter for the same name would leave the first open,
  // and an event could go to it. A consumed decision is replaced by a fresh waiter.
  let canceledEvent = eventTask(context, RequestEvent.cancel);
  let decided = eventTask(context, RequestEvent.approvalDecided);
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
        yield* call(context, ApprovalActivity.escalateApproval, { ...ref, approvalId, stepId: stage.stepId });
      } else if (first === decided) {
        // A hint from outside: any shape may arrive, so nothing in it is taken for granted.
        const event: Partial<ApprovalDecision> | null = resultOf(decided);
        decided = eventTask(context, RequestEvent.approvalDecided);
        // An earlier stage's decision arriving late (its deadline's expireApproval already returned it): not this
        // stage's; wait on. (An instance opened before stages existed has no stepId: any decision is its own.)
        const stepId = stage.stepId ?? event?.stepId;
        if (typeof stepId === 'string' && (!stage.stepId || event?.stepId === stage.stepId)) {
          // The event is a hint: the decision is what the approval document records (refused and audited if none).
          const recorded = yield* call(context, RequestActivity.readDecision, { ...ref, approvalId, stepId });
          if (recorded) decision = recorded;
        }
      } else if (first === canceled) {
        canceledEvent = eventTask(context, RequestEvent.cancel);
        const confirmed = yield* call(context, RequestActivity.confirmCancel, ref);
        if (!confirmed.confirmed) continue;
        stopTimers();
        yield* call(context, ApprovalActivity.cancelApproval, { ...ref, approvalId });
        return { outcome: 'Canceled' };
      } else {
        // The stage's time ran out: unless a decision was recorded just before (its event still on the way), the
        // approval timed out.
        stopTimers();
        const expired = yield* call(context, ApprovalActivity.expireApproval, {
          ...ref,
          approvalId,
          stepId: stage.stepId,
        });
        if (expired.outcome === 'TimedOut') return { outcome: 'TimedOut' };
        decision = expired.decision;
      }
    }
    stopTimers();

    if (decision.reviewResult === 'Deny') return { outcome: 'Denied', decision };
    if (!(stage.stage < stage.stageCount)) return { outcome: 'Approved', decision };
    const next = yield* call(context, ApprovalActivity.startApprovalStage, {
      ...ref,
      approvalId,
      afterStepId: decision.stepId,
    });
    // Nothing to start (the approval ended some other way meanwhile): nothing was approved.
    if (next.outcome === 'Closed') return { outcome: 'TimedOut' };
    stage = next.stage;
  }
}
