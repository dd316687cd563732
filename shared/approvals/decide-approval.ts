/**
 * Recording an approver's decision on a step (through the API or an e-mail link). The write is ETag-guarded, so of
 * two decisions at the same instant exactly one is written — the first decision wins — and the other is refused.
 */
import { randomUUID } from 'node:crypto';
import {
  REQUEST_EVENTS,
  requestInstanceId,
  type ApprovalDecision,
} from '../requests/domain/schedule-request';
import { retryWithDelays } from '../retry';
import { ConcurrencyConflictError } from '../storage/errors';
import { mailDecision } from './approval-mails';
import { warn, type ApprovalServices, type RaiseDecision } from './approval-services';
import { decisionOf, type Approval, type ApprovalStep, type StoredApproval } from './domain/approval';
import { decisionAuditRecord, refusalRecord } from './domain/audit-records';
import {
  MAX_JUSTIFICATION,
  normalizeJustification,
  refuse,
  whyNotDecidable,
  type DecideRefused,
} from './domain/decision-rules';

/** Reads and writes before an approval that keeps changing is given up on. */
const MAX_WRITE_ATTEMPTS = 8;

export interface DecideDone {
  outcome: 'decided';
  decision: ApprovalDecision;
  approval: Approval;
  /** False when the orchestration could not be told after retries: the decision stands. */
  eventRaised: boolean;
  eventError?: string;
}

export type DecideResult = DecideDone | DecideRefused;

export interface DecideInput {
  approvalId: string;
  /** The approval's group (its partition), when known; otherwise it is found by id alone. */
  groupId?: string;
  stepId: string;
  approver: { id: string; displayName: string | null };
  reviewResult: 'Approve' | 'Deny';
  justification?: string | null;
  raiseDecision: RaiseDecision;
  /** Deciding through an e-mail link: its id, recorded as used in the same write as the decision. */
  linkId?: string;
  /** Defaults to the services' clock. */
  now?: Date;
  /** Waits between attempts to raise the event (default 200, 500, 1000 ms: four attempts). */
  raiseRetryDelaysMs?: readonly number[];
}

/**
 * Records an approver's decision on a step. The approver must be one of the step's approvers and not the requester
 * (admins included); the step must be in progress (not already decided or canceled) and not expired; a
 * justification is required where the role settings say so (domain/decision-rules.ts). Of two decisions at the same
 * instant exactly one is written, and the other is refused ("already approved by X"). Then the decision is audited,
 * raised to the request's orchestration (retried; if it still fails the decision stands and `eventRaised` is false —
 * the orchestration also reads the approval when its timer fires), and the requester and all approvers are mailed.
 */
export async function decideApprovalStep(
  services: ApprovalServices,
  input: DecideInput,
): Promise<DecideResult> {
  const now = input.now ?? services.clock.now();
  const justification = normalizeJustification(input.justification);
  if (justification !== null && justification.length > MAX_JUSTIFICATION) {
    return refuse(
      'justificationTooLong',
      `The justification is longer than ${MAX_JUSTIFICATION} characters.`,
    );
  }
  const written = await writeDecision(services, input, justification, now);
  if (written.outcome === 'refused') return written;
  const { saved, decidedStep } = written;

  const decision = decisionOf(saved, decidedStep);
  await services.audit.record(
    decisionAuditRecord(saved, decidedStep, {
      at: now,
      approver: input.approver,
      via: input.linkId ? 'e-mail link' : 'API',
      linkId: input.linkId,
    }),
  );

  const raised = await retryWithDelays(
    () => input.raiseDecision(requestInstanceId(saved.requestId), REQUEST_EVENTS.approvalDecided, decision),
    input.raiseRetryDelaysMs ?? [200, 500, 1000],
  );
  if (!raised.ok) {
    warn(services)(
      `Decision on ${saved.id} recorded, but the request's orchestration was not told: ${raised.error}`,
    );
  }

  await mailDecision(services, saved, decidedStep);
  return raised.ok
    ? { outcome: 'decided', decision, approval: saved, eventRaised: true }
    : { outcome: 'decided', decision, approval: saved, eventRaised: false, eventError: raised.error };
}

/** Reads, checks and writes the decision at the ETag read; on a conflict reads again and re-checks. */
async function writeDecision(
  services: ApprovalServices,
  input: DecideInput,
  justification: string | null,
  now: Date,
): Promise<{ outcome: 'written'; saved: StoredApproval; decidedStep: ApprovalStep } | DecideRefused> {
  for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
    const approval = await services.approvals.find(input.approvalId, input.groupId);
    if (!approval) return refuse('notFound', `No approval ${input.approvalId}.`);
    const step = approval.steps.find((s) => s.id === input.stepId);
    if (!step) return refuse('notFound', `The approval ${approval.id} has no step ${input.stepId}.`);
    const refusal = whyNotDecidable(approval, step, input, justification, now);
    if (refusal) {
      if (refusal.reason === 'ownRequest' || refusal.reason === 'notApprover') {
        await services.audit.record(refusalRecord(approval, input, refusal, now, randomUUID()));
      }
      return refusal;
    }
    const decidedStep: ApprovalStep = {
      ...step,
      status: 'Completed',
      reviewResult: input.reviewResult,
      reviewedBy: { id: input.approver.id, displayName: input.approver.displayName },
      reviewedDateTime: now.toISOString(),
      justification,
    };
    // A deny ends the approval at any stage; an approval ends it only at the last stage (else the next one starts).
    const last = approval.steps[approval.steps.length - 1]?.id === step.id;
    const ends = input.reviewResult === 'Deny' || last;
    const next: Approval = {
      ...approval,
      status: !ends ? 'InProgress' : input.reviewResult === 'Approve' ? 'Approved' : 'Denied',
      completedDateTime: ends ? now.toISOString() : null,
      steps: approval.steps.map((s) => (s.id === step.id ? decidedStep : s)),
      usedLinkIds: input.linkId ? [...approval.usedLinkIds, input.linkId] : approval.usedLinkIds,
    };
    try {
      return {
        outcome: 'written',
        saved: await services.approvals.replace(next, approval._etag),
        decidedStep,
      };
    } catch (err) {
      if (!(err instanceof ConcurrencyConflictError)) throw err;
      // Changed since read (another decision, a timeout, a mail record): read again and re-check.
    }
  }
  throw new Error(`Approval ${input.approvalId} keeps changing; try again`);
}
