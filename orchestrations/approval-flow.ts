/**
 * The approval part of a request's orchestration: open the approval (mails its approvers), then race the first
 * decision against the requester canceling and the step's deadline. A generator the request orchestration runs
 * with `yield*`, so the approval's history lives in the request's instance. Deterministic: activities do the I/O.
 */
import type { OrchestrationContext, Task } from 'durable-functions';
import { REQUEST_ACTIVITIES as A } from '../shared/pim/requests/activity-names';
import {
  REQUEST_EVENTS,
  type ApprovalDecision,
  type ApprovalPolicy,
} from '../shared/pim/requests/schedule-request';

export type OpenApprovalResult = { approvalId: string; expiresDateTime: string } | { noApprovers: true };
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
  const decided = context.df.waitForExternalEvent(REQUEST_EVENTS.approvalDecided);
  const canceled = context.df.waitForExternalEvent(REQUEST_EVENTS.cancel);
  const timeout = context.df.createTimer(new Date(opened.expiresDateTime));
  const first = yield context.df.Task.any([decided, canceled, timeout]);
  let decision: ApprovalDecision;
  if (first === decided) {
    timeout.cancel();
    decision = decided.result as ApprovalDecision;
  } else if (first === canceled) {
    timeout.cancel();
    yield context.df.callActivity(A.cancelApproval, { ...ref, approvalId: opened.approvalId });
    return { outcome: 'Canceled' };
  } else {
    // The timer fired: unless a decision was recorded just before (its event still on the way), it timed out.
    const expired = (yield context.df.callActivity(A.expireApproval, {
      ...ref,
      approvalId: opened.approvalId,
    })) as ExpireApprovalResult;
    if (expired.outcome === 'TimedOut') return { outcome: 'TimedOut' };
    decision = expired.decision;
  }
  return decision.reviewResult === 'Deny'
    ? { outcome: 'Denied', decision }
    : { outcome: 'Approved', decision };
}
