/** A serial approval's stages as time goes on: the next stage starts after an approval; an undecided one escalates. */
import { mailApprovers } from './approval-mails';
import { warn, type ApprovalServices } from './approval-services';
import type { EscalateApprovalResult, StartStageResult } from './contract';
import type { Approval, ApprovalStep } from './domain/approval';
import { stageInfo, startedStep } from './domain/approval-stages';
import { escalatedRecord, stageOpenedRecord } from './domain/audit-records';

/**
 * The stage after `afterStepId` approved: starts the next stage (in progress from `now` for its wait), audits it and
 * mails its approvers their own links. Idempotent: run again, it finds the stage started and mails only approvers not
 * mailed yet. `Closed` when there is nothing to start: the approval ended meanwhile, or the step was not approved.
 */
export async function startApprovalStage(
  services: ApprovalServices,
  input: { approvalId: string; groupId: string; afterStepId: string; now?: Date },
): Promise<StartStageResult> {
  const now = input.now ?? services.clock.now();
  const nextOf = (a: Approval) => {
    const index = a.steps.findIndex((s) => s.id === input.afterStepId);
    const before = a.steps[index];
    const next = index >= 0 ? a.steps[index + 1] : undefined;
    return before?.reviewResult === 'Approve' ? next : undefined;
  };
  const { approval } = await services.approvals.update(input.approvalId, input.groupId, (a) => {
    const next = nextOf(a);
    if (a.status !== 'InProgress' || !next || next.status !== 'NotStarted') return undefined;
    return { ...a, steps: a.steps.map((s) => (s.id === next.id ? startedStep(s, now) : s)) };
  });
  const step = nextOf(approval);
  if (approval.status !== 'InProgress' || !step || step.status !== 'InProgress') {
    return { outcome: 'Closed' };
  }
  await services.audit.record(stageOpenedRecord(approval, step, now));
  await mailApprovers(services, approval, step, 'approvers', now);
  return { outcome: 'Started', stage: stageInfo(approval, step) };
}

/**
 * Nobody decided the stage within its escalation time: records the escalation (from now on its escalation approvers
 * may decide too), audits it and mails each escalation approver their own link. Idempotent; does nothing once the
 * stage is decided, expired or canceled.
 */
export async function escalateApproval(
  services: ApprovalServices,
  input: { approvalId: string; groupId: string; stepId: string; now?: Date },
): Promise<EscalateApprovalResult> {
  const now = input.now ?? services.clock.now();
  const { approval } = await services.approvals.update(input.approvalId, input.groupId, (a) => {
    const step = a.steps.find((s) => s.id === input.stepId);
    if (a.status !== 'InProgress' || step?.status !== 'InProgress' || !step.escalation) return undefined;
    if (step.escalation.escalatedDateTime) return undefined;
    const escalated: ApprovalStep = {
      ...step,
      escalation: { ...step.escalation, escalatedDateTime: now.toISOString() },
    };
    return { ...a, steps: a.steps.map((s) => (s.id === step.id ? escalated : s)) };
  });
  const step = approval.steps.find((s) => s.id === input.stepId);
  const escalation = step?.escalation;
  if (!step || !escalation?.escalatedDateTime) return { escalated: false };
  await services.audit.record(
    escalatedRecord(approval, step, { ...escalation, escalatedDateTime: escalation.escalatedDateTime }),
  );
  if (escalation.approverIds.length === 0) {
    warn(services)(`Approval ${approval.id} escalated, but it has no escalation approver to ask`);
  }
  if (approval.status === 'InProgress' && step.status === 'InProgress') {
    await mailApprovers(services, approval, step, 'escalation', now);
  }
  return { escalated: true };
}
