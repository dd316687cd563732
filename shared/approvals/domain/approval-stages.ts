/**
 * An approval's stages: which ones it runs (from the role settings, or the group's admins for an extend or renew),
 * how a stage starts (its deadline and escalation time from its start), and what the request orchestration is told
 * of the stage in progress. Pure.
 */
import type { ResourceType } from '../../access/resource';
import type { Approver, RoleSettings } from '../../policies/domain/role-settings';
import type { ApprovalPolicy } from '../../requests/domain/schedule-request';
import type { ApprovalStageInfo } from '../contract';
import type { Approval, ApprovalStep } from './approval';

const MINUTE_MS = 60_000;
/** Serial approval: at most this many stages (the role settings PATCH enforces it too). */
const MAX_STAGES = 3;

/**
 * Who approves a stage: the role settings' approvers, or — for a directory or Azure role whose settings name nobody (and for
 * a principal's extend or renew of one) — the directory's Global Administrators and Privileged Role Administrators,
 * as PIM does (seed 004).
 */
export type StageApprover = Approver | { type: 'privilegedRoleAdmins' };

/** One stage as an approval runs it, from the role settings (activation) or from the policy (the group's admins). */
export interface ApprovalStagePlan {
  approvers: StageApprover[];
  /** Empty: no escalation. */
  escalationApprovers: StageApprover[];
  escalationTimeInMinutes: number;
  /** The stage's wait, counted from when it starts; or, for a fixed deadline, `expiresDateTime`. */
  timeOutInDays: number | null;
  expiresDateTime: string | null;
  isApproverJustificationRequired: boolean;
}

/**
 * The stages an approval runs. `activation`: the role's approval rule — one stage (SingleStage) or up to three
 * (Serial), each with its approvers, wait and escalation. `admins` (a principal's extend or renew): one stage decided
 * by the group's owners, open until the policy's `expiresDateTime`, justification required, no escalation.
 */
export function approvalPlan(
  settings: RoleSettings | undefined,
  policy: ApprovalPolicy = { kind: 'activation' },
  resourceType: ResourceType = 'group',
): ApprovalStagePlan[] {
  // Roles have no owners: PIM's default approvers for Entra and Azure roles are the directory's privileged role
  // administrators (docs/api/azure-roles.md, "Approvers").
  const role = resourceType === 'directoryRole' || resourceType === 'azureRole';
  if (policy.kind === 'admins') {
    return [
      {
        approvers: [role ? { type: 'privilegedRoleAdmins' } : { type: 'groupOwners' }],
        escalationApprovers: [],
        escalationTimeInMinutes: 0,
        timeOutInDays: null,
        expiresDateTime: policy.expiresDateTime,
        isApproverJustificationRequired: true,
      },
    ];
  }
  if (!settings) throw new Error('An activation approval needs the role settings');
  const a = settings.activation;
  // The summary fields describe the first stage (code that builds settings by hand may set only those).
  const first = {
    escalationApprovers: [],
    isEscalationEnabled: false,
    escalationTimeInMinutes: 0,
    ...a.stages?.[0],
    approvers: a.approvers,
    approvalStageTimeOutInDays: a.approvalStageTimeOutInDays,
    isApproverJustificationRequired: a.isApproverJustificationRequired,
  };
  const configured = [first, ...(a.stages ?? []).slice(1)];
  const stages = a.approvalMode === 'Serial' ? configured.slice(0, MAX_STAGES) : configured.slice(0, 1);
  return stages.map((s) => ({
    approvers: role && s.approvers.length === 0 ? [{ type: 'privilegedRoleAdmins' }] : s.approvers,
    escalationApprovers: s.isEscalationEnabled ? s.escalationApprovers : [],
    escalationTimeInMinutes: s.isEscalationEnabled ? s.escalationTimeInMinutes : 0,
    timeOutInDays: s.approvalStageTimeOutInDays,
    expiresDateTime: null,
    isApproverJustificationRequired: s.isApproverJustificationRequired,
  }));
}

/** A stage's wait in milliseconds: days (decimals allowed) rounded to the minute, at least one minute. */
export function stageTimeoutMs(days: number): number {
  return Math.max(1, Math.round(days * 1440)) * MINUTE_MS;
}

/**
 * The step of stage `index` (0-based) of `plan`, NotStarted, with its approvers and escalation approvers resolved;
 * `id` a fresh GUID.
 */
export function plannedStep(
  plan: ApprovalStagePlan[],
  index: number,
  o: { id: string; approverIds: string[]; escalationApproverIds: string[] },
): ApprovalStep {
  const stage = plan[index];
  if (!stage) throw new Error(`No stage ${index + 1} in a plan of ${plan.length}`);
  return {
    id: o.id,
    displayName: plan.length > 1 ? `Stage ${index + 1} of ${plan.length}` : null,
    status: 'NotStarted',
    reviewResult: 'NotReviewed',
    reviewedBy: null,
    reviewedDateTime: null,
    justification: null,
    approverIds: o.approverIds,
    expiresDateTime: stage.expiresDateTime,
    ...(stage.timeOutInDays !== null && { timeOutInDays: stage.timeOutInDays }),
    startedDateTime: null,
    isApproverJustificationRequired: stage.isApproverJustificationRequired,
    notifiedApproverIds: [],
    escalation:
      stage.escalationApprovers.length > 0
        ? {
            afterMinutes: stage.escalationTimeInMinutes,
            approverIds: o.escalationApproverIds,
            dueDateTime: null,
            escalatedDateTime: null,
            notifiedApproverIds: [],
          }
        : null,
  };
}

/** Starts `step` at `now`: InProgress, its deadline and its escalation time set. */
export function startedStep(step: ApprovalStep, now: Date): ApprovalStep {
  const expires =
    step.timeOutInDays !== undefined
      ? new Date(now.getTime() + stageTimeoutMs(step.timeOutInDays)).toISOString()
      : step.expiresDateTime;
  if (!expires) throw new Error(`Step ${step.id} has neither a wait nor a deadline`);
  return {
    ...step,
    status: 'InProgress',
    startedDateTime: now.toISOString(),
    expiresDateTime: expires,
    escalation: step.escalation
      ? {
          ...step.escalation,
          dueDateTime: new Date(now.getTime() + step.escalation.afterMinutes * MINUTE_MS).toISOString(),
        }
      : step.escalation,
  };
}

/** What the request orchestration needs of the stage in progress: its step, deadline and escalation time. */
export function stageInfo(approval: Approval, step: ApprovalStep): ApprovalStageInfo {
  const index = approval.steps.findIndex((s) => s.id === step.id);
  const escalation = step.escalation;
  return {
    approvalId: approval.id,
    stepId: step.id,
    stage: index + 1,
    stageCount: approval.steps.length,
    expiresDateTime: step.expiresDateTime ?? approval.completedDateTime ?? approval.createdDateTime,
    escalationDateTime:
      escalation && escalation.approverIds.length > 0 && !escalation.escalatedDateTime
        ? escalation.dueDateTime
        : null,
  };
}
