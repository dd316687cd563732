/**
 * Who may decide an approval step, and when: the rules a decision passes before it is written (and the confirmation
 * page asks before it shows the buttons). A refusal names its reason and says why in words; the HTTP edge maps the
 * reason to a status (http/refusal-status.ts). Pure.
 */
import { formatUtc } from '../../mail/templates/approval-format';
import { deciderIds, finalStep, sameId, stageLabel, type Approval, type ApprovalStep } from './approval';

/** The longest justification an approver may give. */
export const MAX_JUSTIFICATION = 1000;

export type RefusalReason =
  | 'notFound'
  | 'notApprover'
  | 'ownRequest'
  | 'alreadyDecided'
  | 'expired'
  | 'canceled'
  | 'justificationRequired'
  | 'justificationTooLong'
  | 'linkUsed'
  | 'notStarted';

export interface DecideRefused {
  outcome: 'refused';
  reason: RefusalReason;
  detail: string;
}

export function refuse(reason: RefusalReason, detail: string): DecideRefused {
  return { outcome: 'refused', reason, detail };
}

/** Trimmed, with Windows line ends made `\n`; null when nothing is left. */
export function normalizeJustification(value: string | null | undefined): string | null {
  const trimmed = (value ?? '').replace(/\r\n/g, '\n').trim();
  return trimmed === '' ? null : trimmed;
}

/**
 * Why `approver` can't decide `step` now (a refusal), or undefined if they can. `justification` undefined skips the
 * justification check: the confirmation page asks this before anyone typed one.
 */
export function whyNotDecidable(
  approval: Approval,
  step: ApprovalStep,
  input: { approver: { id: string }; linkId?: string },
  justification: string | null | undefined,
  now: Date,
): DecideRefused | undefined {
  if (input.linkId && approval.usedLinkIds.includes(input.linkId)) {
    return refuse('linkUsed', `This link has already been used. ${describeOutcome(approval, step)}`.trim());
  }
  const approverId = input.approver.id;
  if (sameId(approverId, approval.requesterId) || sameId(approverId, approval.request.createdById)) {
    return refuse('ownRequest', 'Nobody approves their own request, administrators included.');
  }
  if (!deciderIds(step).some((id) => sameId(id, approverId))) {
    const escalation = step.escalation;
    if (escalation?.approverIds.some((id) => sameId(id, approverId))) {
      return refuse(
        'notApprover',
        `You are an escalation approver of this stage: you can decide once it escalates${escalation.dueDateTime ? ` (at ${formatUtc(escalation.dueDateTime)})` : ''}, if nobody decided by then.`,
      );
    }
    return refuse('notApprover', 'You are not an approver of this request.');
  }
  if (approval.status === 'Canceled') {
    return refuse('canceled', 'The request was canceled: there is nothing left to decide.');
  }
  if (step.reviewResult !== 'NotReviewed' && step.reviewedBy) {
    return refuse('alreadyDecided', describeOutcome(approval, step));
  }
  const final = finalStep(approval);
  if (final) return refuse('alreadyDecided', describeOutcome(approval, final));
  const expiredStep = approval.steps.find((s) => s.status === 'Expired');
  if (
    step.status === 'Expired' ||
    approval.status === 'TimedOut' ||
    (step.expiresDateTime !== null && now.getTime() >= Date.parse(step.expiresDateTime))
  ) {
    const ended =
      step.expiresDateTime ?? expiredStep?.expiresDateTime ?? approval.completedDateTime ?? now.toISOString();
    return refuse(
      'expired',
      `The time to decide ended at ${formatUtc(ended)}: the request can no longer be approved or denied.`,
    );
  }
  if (step.status === 'NotStarted') {
    const index = approval.steps.findIndex((s) => s.id === step.id);
    return refuse(
      'notStarted',
      `This is stage ${index + 1} of ${approval.steps.length}: it starts once stage ${index} approves, and you will be mailed then.`,
    );
  }
  if (step.status !== 'InProgress' || approval.status !== 'InProgress') {
    return refuse('alreadyDecided', `The approval is ${approval.status}: there is nothing left to decide.`);
  }
  if (justification !== undefined && step.isApproverJustificationRequired && !justification) {
    return refuse('justificationRequired', 'A justification is required to approve or deny this request.');
  }
  return undefined;
}

/** `Stage 1 of 2 of the request was already approved by Sofia Rossi at ...`, or how the approval ended. */
function describeOutcome(approval: Approval, step: ApprovalStep): string {
  if (step.reviewResult !== 'NotReviewed' && step.reviewedBy) {
    const verb = step.reviewResult === 'Approve' ? 'approved' : 'denied';
    const when = step.reviewedDateTime ? ` at ${formatUtc(step.reviewedDateTime)}` : '';
    const label = stageLabel(approval, step);
    const what = label ? `${label.replace('Stage', 'stage')} of the request` : 'The request';
    return `${label ? `${what[0]?.toUpperCase()}${what.slice(1)}` : what} was already ${verb} by ${step.reviewedBy.displayName ?? step.reviewedBy.id}${when}.`;
  }
  if (approval.status === 'Canceled') return 'The request was canceled.';
  if (approval.status === 'TimedOut') return 'Nobody decided in time: the request expired.';
  return '';
}
