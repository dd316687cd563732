/**
 * The approval's activities, run by the approval part of the request orchestration (orchestrations/approval-flow.ts):
 * names, inputs, outputs. Registered in functions/approval-activities.ts, implemented by approval-activities.ts.
 * (Whether a decision event is true is checked by RequestActivity.readDecision; the events are RequestEvent's.)
 * Types and names only; the names are those running instances know.
 */
import { defineActivity } from '../durable/activity';
import type { ApprovalDecision, ApprovalPolicy } from '../requests/domain/schedule-request';

/** How the approval is run (the request's), and what a decision says: the orchestration's types, named here. */
export type { ApprovalDecision, ApprovalPolicy };

/** The request an approval belongs to (the approval's id is the request's). */
export interface ApprovalRef {
  requestId: string;
  groupId: string;
}

/** The stage in progress, as the request orchestration races it: decide by `expiresDateTime`, escalate at `escalationDateTime`. */
export interface ApprovalStageInfo {
  approvalId: string;
  stepId: string;
  /** 1-based. */
  stage: number;
  stageCount: number;
  expiresDateTime: string;
  /** When to escalate (call `escalateApproval`); null: no escalation (or it already happened). */
  escalationDateTime: string | null;
}

/** `activation` (the default) runs the role's approval rule; `admins` one stage decided by the group's owners. */
export type OpenApprovalInput = ApprovalRef & { policy?: ApprovalPolicy };
/** The first stage, started; or nobody but the requester could approve a stage: the request can't proceed. */
export type OpenApprovalResult = ApprovalStageInfo | { noApprovers: true };

export type StartApprovalStageInput = ApprovalRef & { approvalId: string; afterStepId: string };
/** `Closed`: nothing to start (the approval ended some other way meanwhile, or the step was not approved). */
export type StartStageResult = { outcome: 'Started'; stage: ApprovalStageInfo } | { outcome: 'Closed' };

export type EscalateApprovalInput = ApprovalRef & { approvalId: string; stepId: string };
export interface EscalateApprovalResult {
  escalated: boolean;
}

/** `stepId`: the stage whose deadline passed (absent in instances from before stages: the stage in progress). */
export type ExpireApprovalInput = ApprovalRef & { approvalId: string; stepId?: string };
/** `Decided`: a decision was recorded just before the deadline (its event still on the way): go on with it. */
export type ExpireApprovalResult =
  { outcome: 'TimedOut' } | { outcome: 'Decided'; decision: ApprovalDecision };

export type CancelApprovalInput = ApprovalRef & { approvalId: string };
export type CancelApprovalResult =
  { outcome: 'Canceled' } | { outcome: 'TimedOut' } | { outcome: 'Decided'; decision: ApprovalDecision };

export const ApprovalActivity = {
  /** Opens the approval and mails the first stage's approvers. */
  openApproval: defineActivity<OpenApprovalInput, OpenApprovalResult>('OpenApproval'),
  /** Starts the stage after an approved one and mails its approvers. */
  startApprovalStage: defineActivity<StartApprovalStageInput, StartStageResult>('StartApprovalStage'),
  /** A stage undecided after its escalation time: mails its escalation approvers, who may then decide too. */
  escalateApproval: defineActivity<EscalateApprovalInput, EscalateApprovalResult>('EscalateApproval'),
  /** The stage's deadline passed: the approval times out, unless a decision was recorded just before. */
  expireApproval: defineActivity<ExpireApprovalInput, ExpireApprovalResult>('ExpireApproval'),
  /** The requester canceled: the approval's links stop working and the approvers who were mailed are told. */
  cancelApproval: defineActivity<CancelApprovalInput, CancelApprovalResult>('CancelApproval'),
};
