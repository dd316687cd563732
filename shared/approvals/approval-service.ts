/**
 * The approval of a request, from opening to its end: `openApproval` (the request orchestration's activity calls it),
 * `decideApprovalStep` (the API and the e-mail link page), `expireApproval` (the orchestration's timer fired) and
 * `cancelApproval` (the requester canceled). Every change is an ETag-guarded write of the approval document, so the
 * first decision wins — exactly one, even when two arrive at the same instant — and a decision written just before
 * the timer fired is never lost: `expireApproval` finds it and returns it instead of timing out.
 */
import { mailIdFor } from '../mail/mail-id';
import { randomUUID } from 'node:crypto';
import type { Database } from '@azure/cosmos';
import { SYSTEM_ACTOR, userActor } from '../audit/domain/audit-entry';
import type { AuditWriter } from '../audit/adapters/audit-log';
import type { AuditRecord } from '../audit/adapters/audit-log';
import type { Clock } from '../clock';
import type { Settings } from '../config';
import type { Directory, DirectoryUser } from '../directory/directory';
import { GraphError } from '../directory/graph-error';
import type { Mailer } from '../mail/mailer';
import { approvalCanceled } from '../mail/templates/approval-canceled';
import { approvalDecided } from '../mail/templates/approval-decided';
import { approvalRequest } from '../mail/templates/approval-request';
import { formatUtc } from '../mail/templates/approval-format';
import { AlreadyExistsError, ConcurrencyConflictError, NotFoundError } from '../storage/errors';
import {
  REQUEST_EVENTS,
  requestInstanceId,
  type ApprovalDecision,
  type ApprovalPolicy,
  type ScheduleRequest,
} from '../requests/domain/schedule-request';
import type { Approver, RoleSettings } from '../policies/domain/role-settings';
import {
  ApprovalRepository,
  activeEscalationApproverIds,
  currentStep,
  deciderIds,
  finalStep,
  notifiedIds,
  stageLabel,
  type Approval,
  type ApprovalStep,
  type StoredApproval,
} from './approval';
import { approvalLinkUrl, signApprovalLink } from './http/approval-link';

/** What the approval functions use; `getServices()`'s result fits as is. */
export interface ApprovalServices {
  settings: Pick<Settings, 'APPROVAL_LINK_SIGNING_KEY' | 'PUBLIC_BASE_URL' | 'APPROVAL_REQUIRE_SIGN_IN'>;
  clock: Clock;
  directory: Directory;
  mailer: Mailer;
  database: Database;
  audit: AuditWriter;
  /** Where problems that must not fail the operation (a mail not sent) are reported. Default: console.warn. */
  log?: (message: string) => void;
}

/** The fields of a request an approval needs. */
export type ApprovalRequestInput = Pick<
  ScheduleRequest,
  | 'id'
  | 'groupId'
  | 'accessId'
  | 'principalId'
  | 'action'
  | 'justification'
  | 'ticketInfo'
  | 'startDateTime'
  | 'endDateTime'
  | 'createdBy'
>;

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

export type OpenApprovalResult = (ApprovalStageInfo & { approverIds: string[] }) | { noApprovers: true };

export type StartStageResult = { outcome: 'Started'; stage: ApprovalStageInfo } | { outcome: 'Closed' };

/** Sends an event to the request's orchestration: the HTTP functions pass one built on the durable client. */
export type RaiseDecision = (
  instanceId: string,
  eventName: string,
  payload: ApprovalDecision,
) => Promise<void>;

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
  status: 400 | 403 | 404 | 409 | 410;
  reason: RefusalReason;
  detail: string;
}

export interface DecideDone {
  outcome: 'decided';
  decision: ApprovalDecision;
  approval: Approval;
  /** False when the orchestration could not be told after retries: the decision stands (answer 503). */
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

export type ExpireApprovalResult =
  { outcome: 'TimedOut' } | { outcome: 'Decided'; decision: ApprovalDecision };
export type CancelApprovalResult =
  { outcome: 'Canceled' } | { outcome: 'TimedOut' } | { outcome: 'Decided'; decision: ApprovalDecision };

const MINUTE_MS = 60_000;
/** Serial approval: at most this many stages (the role settings PATCH enforces it too). */
const MAX_STAGES = 3;
const MAX_WRITE_ATTEMPTS = 8;
/** ACS takes at most 50 recipients per message. */
const MAX_RECIPIENTS = 50;
const MAIL_CONCURRENCY = 4;
const MAX_JUSTIFICATION = 1000;

// ---------------------------------------------------------------------------------------------------------
// Open

/** One stage as an approval runs it, from the role settings (activation) or from the policy (the group's admins). */
export interface ApprovalStagePlan {
  approvers: Approver[];
  /** Empty: no escalation. */
  escalationApprovers: Approver[];
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
): ApprovalStagePlan[] {
  if (policy.kind === 'admins') {
    return [
      {
        approvers: [{ type: 'groupOwners' }],
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
    approvers: s.approvers,
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

/** Starts `step` at `now`: InProgress, its deadline and its escalation time set. */
function started(step: ApprovalStep, now: Date): ApprovalStep {
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

/**
 * Opens the approval of a request: resolves the approvers of every stage (users; transitive user members of groups;
 * the group's owners) minus the requester, creates the approval with one step per stage — the first in progress
 * until `now` + its wait, the others NotStarted — mails each approver of the first stage their own link, and audits
 * it. Idempotent: run again (a retried activity), it finds the approval, creates nothing, and mails only approvers
 * not mailed yet. `{ noApprovers: true }` when a stage has nobody but the requester to approve it: the request
 * can't proceed.
 */
export async function openApproval(
  services: ApprovalServices,
  input: { request: ApprovalRequestInput; settings?: RoleSettings; policy?: ApprovalPolicy; now: Date },
): Promise<OpenApprovalResult> {
  const { request, now } = input;
  const repo = ApprovalRepository.of(services.database);
  let approval = await repo.find(request.id, request.groupId);
  if (!approval) {
    const plan = approvalPlan(input.settings, input.policy);
    const excluded = new Set([request.principalId, request.createdBy.user.id]);
    const resolve = (approvers: Approver[], also: ReadonlySet<string> = new Set()) =>
      resolveApprovers(
        services.directory,
        approvers,
        request.groupId,
        new Set([...excluded, ...also]),
        log(services),
      );
    const [principal, group] = await Promise.all([
      services.directory.getUser(request.principalId),
      services.directory.getGroup(request.groupId),
    ]);
    const steps: ApprovalStep[] = [];
    for (const [index, stage] of plan.entries()) {
      const approverIds = await resolve(stage.approvers);
      if (approverIds.length === 0) {
        await auditNoApprovers(services, request, now, plan.length > 1 ? index + 1 : undefined);
        return { noApprovers: true };
      }
      const escalationIds =
        stage.escalationApprovers.length > 0
          ? await resolve(stage.escalationApprovers, new Set(approverIds))
          : [];
      const step: ApprovalStep = {
        id: randomUUID(),
        displayName: plan.length > 1 ? `Stage ${index + 1} of ${plan.length}` : null,
        status: 'NotStarted',
        reviewResult: 'NotReviewed',
        reviewedBy: null,
        reviewedDateTime: null,
        justification: null,
        approverIds,
        expiresDateTime: stage.expiresDateTime,
        ...(stage.timeOutInDays !== null && { timeOutInDays: stage.timeOutInDays }),
        startedDateTime: null,
        isApproverJustificationRequired: stage.isApproverJustificationRequired,
        notifiedApproverIds: [],
        escalation:
          stage.escalationApprovers.length > 0
            ? {
                afterMinutes: stage.escalationTimeInMinutes,
                approverIds: escalationIds,
                dueDateTime: null,
                escalatedDateTime: null,
                notifiedApproverIds: [],
              }
            : null,
      };
      steps.push(index === 0 ? started(step, now) : step);
    }
    try {
      approval = await repo.create({
        id: request.id,
        groupId: request.groupId,
        requestId: request.id,
        requesterId: request.principalId,
        accessId: request.accessId,
        status: 'InProgress',
        createdDateTime: now.toISOString(),
        completedDateTime: null,
        request: {
          action: request.action,
          principalDisplayName: principal?.displayName ?? null,
          groupDisplayName: group?.displayName ?? null,
          justification: request.justification,
          ticketNumber: request.ticketInfo?.ticketNumber ?? null,
          ticketSystem: request.ticketInfo?.ticketSystem ?? null,
          startDateTime: request.startDateTime,
          endDateTime: request.endDateTime,
          createdById: request.createdBy.user.id,
        },
        steps,
        usedLinkIds: [],
      });
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
      approval = await repo.find(request.id, request.groupId); // a concurrent run created it first
      if (!approval) throw new Error(`Approval ${request.id} exists and then doesn't`, { cause: err });
    }
  }
  const step = approval.steps[0] as ApprovalStep;
  await services.audit.record({
    id: `${approval.id}:approval:requested`,
    activityDateTime: new Date(approval.createdDateTime),
    activityDisplayName: `Approval requested (PIM ${approval.accessId})`,
    category: 'Approval',
    operationType: 'Request',
    result: 'success',
    resultReason: approval.request.justification ?? '',
    initiatedBy: userActor(approval.requesterId, approval.request.principalDisplayName),
    targetResources: [
      { id: approval.id, type: 'Approval' },
      { id: approval.requestId, type: 'Request' },
      { id: approval.groupId, type: 'Group', displayName: approval.request.groupDisplayName },
    ],
    groupId: approval.groupId,
    principalId: approval.requesterId,
    correlationId: approval.requestId,
    details: {
      accessId: approval.accessId,
      action: approval.request.action,
      stage: '1',
      stageCount: String(approval.steps.length),
      stepId: step.id,
      approverIds: step.approverIds.join(','),
      expiresDateTime: step.expiresDateTime,
      escalationDateTime: step.escalation?.dueDateTime ?? null,
      justification: approval.request.justification,
      ticketNumber: approval.request.ticketNumber,
    },
  });
  if (approval.status === 'InProgress' && step.status === 'InProgress') {
    await mailApprovers(services, repo, approval, step, 'approvers', now);
  }
  return { ...stageInfo(approval, step), approverIds: step.approverIds };
}

async function auditNoApprovers(
  services: ApprovalServices,
  request: ApprovalRequestInput,
  now: Date,
  stage: number | undefined,
): Promise<void> {
  await services.audit.record({
    id: `${request.id}:approval:no-approvers`,
    activityDateTime: now,
    activityDisplayName: `Approval could not be requested: nobody but the requester can approve (PIM ${request.accessId})`,
    category: 'Approval',
    operationType: 'Request',
    result: 'failure',
    resultReason:
      stage === undefined
        ? 'No approver other than the requester'
        : `No approver other than the requester in stage ${stage}`,
    initiatedBy: SYSTEM_ACTOR,
    targetResources: [
      { id: request.id, type: 'Request' },
      { id: request.groupId, type: 'Group' },
    ],
    groupId: request.groupId,
    principalId: request.principalId,
    correlationId: request.id,
    details: { accessId: request.accessId, ...(stage !== undefined && { stage: String(stage) }) },
  });
}

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
  const repo = ApprovalRepository.of(services.database);
  const nextOf = (a: Approval) => {
    const index = a.steps.findIndex((s) => s.id === input.afterStepId);
    const before = a.steps[index];
    const next = index >= 0 ? a.steps[index + 1] : undefined;
    return before?.reviewResult === 'Approve' ? next : undefined;
  };
  const result = await update(repo, input.approvalId, input.groupId, (a) => {
    const next = nextOf(a);
    if (a.status !== 'InProgress' || !next || next.status !== 'NotStarted') return undefined;
    return { ...a, steps: a.steps.map((s) => (s.id === next.id ? started(s, now) : s)) };
  });
  const approval = result.approval;
  const step = nextOf(approval);
  if (approval.status !== 'InProgress' || !step || step.status !== 'InProgress') {
    return { outcome: 'Closed' };
  }
  const info = stageInfo(approval, step);
  await services.audit.record({
    id: `${approval.id}:${step.id}:stage-opened`,
    activityDateTime: new Date(step.startedDateTime ?? now.toISOString()),
    activityDisplayName: `Approval stage ${info.stage} of ${info.stageCount} opened (PIM ${approval.accessId})`,
    category: 'Approval',
    operationType: 'Request',
    result: 'success',
    resultReason: `Stage ${info.stage - 1} approved`,
    initiatedBy: SYSTEM_ACTOR,
    targetResources: [
      { id: approval.id, type: 'Approval' },
      { id: approval.requestId, type: 'Request' },
      { id: approval.groupId, type: 'Group', displayName: approval.request.groupDisplayName },
    ],
    groupId: approval.groupId,
    principalId: approval.requesterId,
    correlationId: approval.requestId,
    details: {
      accessId: approval.accessId,
      stage: String(info.stage),
      stageCount: String(info.stageCount),
      stepId: step.id,
      approverIds: step.approverIds.join(','),
      expiresDateTime: step.expiresDateTime,
      escalationDateTime: step.escalation?.dueDateTime ?? null,
    },
  });
  await mailApprovers(services, repo, approval, step, 'approvers', now);
  return { outcome: 'Started', stage: info };
}

/**
 * Nobody decided the stage within its escalation time: records the escalation (from now on its escalation approvers
 * may decide too), audits it and mails each escalation approver their own link. Idempotent; does nothing once the
 * stage is decided, expired or canceled.
 */
export async function escalateApproval(
  services: ApprovalServices,
  input: { approvalId: string; groupId: string; stepId: string; now?: Date },
): Promise<{ escalated: boolean }> {
  const now = input.now ?? services.clock.now();
  const repo = ApprovalRepository.of(services.database);
  const result = await update(repo, input.approvalId, input.groupId, (a) => {
    const step = a.steps.find((s) => s.id === input.stepId);
    if (a.status !== 'InProgress' || step?.status !== 'InProgress' || !step.escalation) return undefined;
    if (step.escalation.escalatedDateTime) return undefined;
    const escalated: ApprovalStep = {
      ...step,
      escalation: { ...step.escalation, escalatedDateTime: now.toISOString() },
    };
    return { ...a, steps: a.steps.map((s) => (s.id === step.id ? escalated : s)) };
  });
  const approval = result.approval;
  const step = approval.steps.find((s) => s.id === input.stepId);
  const escalation = step?.escalation;
  if (!step || !escalation?.escalatedDateTime) return { escalated: false };
  const stage = approval.steps.findIndex((s) => s.id === step.id) + 1;
  await services.audit.record({
    id: `${approval.id}:${step.id}:escalated`,
    activityDateTime: new Date(escalation.escalatedDateTime),
    activityDisplayName: `Approval escalated: nobody decided within ${escalation.afterMinutes} minutes (PIM ${approval.accessId})`,
    category: 'Approval',
    operationType: 'Other',
    result: 'success',
    resultReason: `Stage ${stage} undecided after ${escalation.afterMinutes} minutes`,
    initiatedBy: SYSTEM_ACTOR,
    targetResources: [
      { id: approval.id, type: 'Approval' },
      { id: approval.requestId, type: 'Request' },
      { id: approval.groupId, type: 'Group', displayName: approval.request.groupDisplayName },
    ],
    groupId: approval.groupId,
    principalId: approval.requesterId,
    correlationId: approval.requestId,
    details: {
      accessId: approval.accessId,
      stage: String(stage),
      stepId: step.id,
      escalationApproverIds: escalation.approverIds.join(','),
    },
  });
  if (escalation.approverIds.length === 0) {
    log(services)(`Approval ${approval.id} escalated, but it has no escalation approver to ask`);
  }
  if (approval.status === 'InProgress' && step.status === 'InProgress') {
    await mailApprovers(services, repo, approval, step, 'escalation', now);
  }
  return { escalated: true };
}

/**
 * User ids of the approvers: listed users, transitive user members of listed groups, and for `groupOwners` the
 * group's owners (users). Disabled accounts and `excluded` (the requester) are left out. A listed user or group that
 * no longer exists is skipped (and logged); other directory failures throw, so the activity can be retried.
 */
export async function resolveApprovers(
  directory: Directory,
  approvers: readonly Approver[],
  groupId: string,
  excluded: ReadonlySet<string>,
  logger: (message: string) => void = () => undefined,
): Promise<string[]> {
  const candidates: string[] = [];
  const missingIsEmpty = async (what: string, list: () => Promise<{ id: string; type: string }[]>) => {
    try {
      return await list();
    } catch (err) {
      if (err instanceof GraphError && err.status === 404) {
        logger(`Approver ${what} no longer exists; skipped`);
        return [];
      }
      throw err;
    }
  };
  for (const approver of approvers) {
    if (approver.type === 'user') candidates.push(approver.id);
    else {
      const principals =
        approver.type === 'groupMembers'
          ? await missingIsEmpty(`group ${approver.id}`, () => directory.listTransitiveMembers(approver.id))
          : await missingIsEmpty(`owners of ${groupId}`, () => directory.listGroupOwners(groupId));
      for (const p of principals) if (p.type === 'user') candidates.push(p.id);
    }
  }
  const unique = [...new Set(candidates.map((id) => id.toLowerCase()))].filter((id) => !hasId(excluded, id));
  if (unique.length === 0) return [];
  const users = await directory.getUsers(unique);
  return unique.filter((id) => {
    const user = users[id];
    if (!user) logger(`Approver ${id} no longer exists; skipped`);
    return user !== null && user !== undefined && user.accountEnabled;
  });
}

function hasId(set: ReadonlySet<string>, id: string): boolean {
  for (const value of set) if (value.toLowerCase() === id.toLowerCase()) return true;
  return false;
}

/**
 * Mails every approver of `step` not mailed yet their own link (`escalation`: its escalation approvers), then
 * records them as mailed.
 */
async function mailApprovers(
  services: ApprovalServices,
  repo: ApprovalRepository,
  approval: StoredApproval,
  step: ApprovalStep,
  which: 'approvers' | 'escalation',
  now: Date,
): Promise<void> {
  const expiresDateTime = step.expiresDateTime;
  if (step.status !== 'InProgress' || !expiresDateTime) return;
  const escalation = which === 'escalation' ? step.escalation : undefined;
  if (which === 'escalation' && !escalation?.escalatedDateTime) return;
  const listed = escalation ? escalation.approverIds : step.approverIds;
  const notified = escalation ? escalation.notifiedApproverIds : step.notifiedApproverIds;
  const pending = listed.filter((id) => !notified.includes(id));
  if (pending.length === 0) return;
  const users = await services.directory.getUsers(pending);
  const done: string[] = [];
  await forEachLimited(pending, MAIL_CONCURRENCY, async (approverId) => {
    const user = users[approverId] ?? null;
    const address = addressOf(user);
    if (!address) {
      log(services)(`Approver ${approverId} of approval ${approval.id} has no e-mail address; not mailed`);
      done.push(approverId); // nothing to send, ever: don't try again
      return;
    }
    const { token } = await signApprovalLink(services.settings.APPROVAL_LINK_SIGNING_KEY, {
      approvalId: approval.id,
      stepId: step.id,
      groupId: approval.groupId,
      approverId,
      expiresDateTime,
      now,
    });
    try {
      await services.mailer.send({
        to: [address],
        // One ACS operation per approver, step and audience: a re-run after a crash before `notified` was
        // recorded is the same send, not a second mail.
        idempotencyKey: mailIdFor('approval-request', approval.id, step.id, which, approverId),
        ...approvalRequest({
          approverName: user?.displayName ?? null,
          requesterName: requesterName(approval),
          groupName: groupName(approval),
          accessId: approval.accessId,
          action: approval.request.action,
          justification: approval.request.justification,
          ticketNumber: approval.request.ticketNumber,
          ticketSystem: approval.request.ticketSystem,
          startDateTime: approval.request.startDateTime,
          endDateTime: approval.request.endDateTime,
          expiresDateTime,
          isApproverJustificationRequired: step.isApproverJustificationRequired,
          reviewUrl: approvalLinkUrl(services.settings.PUBLIC_BASE_URL, token),
          requestId: approval.requestId,
          stage: stageLabel(approval, step),
          escalation: escalation ? { afterMinutes: escalation.afterMinutes } : null,
        }),
      });
      done.push(approverId);
    } catch (err) {
      // Not recorded as mailed: a re-run tries again. The approver can still decide through the API.
      log(services)(`Approval mail to ${approverId} for ${approval.id} not sent: ${message(err)}`);
    }
  });
  if (done.length > 0) {
    await update(repo, approval.id, approval.groupId, (a) => {
      const s = a.steps.find((x) => x.id === step.id);
      if (!s) return undefined;
      let changed: ApprovalStep;
      if (escalation) {
        if (!s.escalation) return undefined;
        const all = [...new Set([...s.escalation.notifiedApproverIds, ...done])];
        if (all.length === s.escalation.notifiedApproverIds.length) return undefined;
        changed = { ...s, escalation: { ...s.escalation, notifiedApproverIds: all } };
      } else {
        const all = [...new Set([...s.notifiedApproverIds, ...done])];
        if (all.length === s.notifiedApproverIds.length) return undefined;
        changed = { ...s, notifiedApproverIds: all };
      }
      return { ...a, steps: a.steps.map((x) => (x.id === s.id ? changed : x)) };
    });
  }
}

// ---------------------------------------------------------------------------------------------------------
// Decide

/**
 * Records an approver's decision on a step. The approver must be one of the step's approvers and not the requester
 * (403, admins included); the step must be in progress (409 when already decided or canceled) and not expired (410);
 * a justification is required where the role settings say so (400). The write is ETag-guarded: of two decisions at
 * the same instant exactly one is written, and the other is refused (409 "already approved by X"). Then the
 * decision is audited, raised to the request's orchestration (retried; if it still fails the decision stands and
 * `eventRaised` is false: answer 503 — the orchestration also reads the approval when its timer fires), and the
 * requester and all approvers are mailed.
 */
export async function decideApprovalStep(
  services: ApprovalServices,
  input: DecideInput,
): Promise<DecideResult> {
  const now = input.now ?? services.clock.now();
  const justification = normalizeJustification(input.justification);
  if (justification !== null && justification.length > MAX_JUSTIFICATION) {
    return refuse(
      400,
      'justificationTooLong',
      `The justification is longer than ${MAX_JUSTIFICATION} characters.`,
    );
  }
  const repo = ApprovalRepository.of(services.database);
  let saved: StoredApproval | undefined;
  let decidedStep: ApprovalStep | undefined;
  for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS && !saved; attempt++) {
    const approval = await repo.find(input.approvalId, input.groupId);
    if (!approval) return refuse(404, 'notFound', `No approval ${input.approvalId}.`);
    const step = approval.steps.find((s) => s.id === input.stepId);
    if (!step) return refuse(404, 'notFound', `The approval ${approval.id} has no step ${input.stepId}.`);
    const refusal = whyNotDecidable(approval, step, input, justification, now);
    if (refusal) {
      if (refusal.reason === 'ownRequest' || refusal.reason === 'notApprover') {
        await auditRefusal(services, approval, input, refusal, now);
      }
      return refusal;
    }
    decidedStep = {
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
      steps: approval.steps.map((s) => (s.id === step.id ? (decidedStep as ApprovalStep) : s)),
      usedLinkIds: input.linkId ? [...approval.usedLinkIds, input.linkId] : approval.usedLinkIds,
    };
    try {
      saved = await repo.replace(next, approval._etag);
    } catch (err) {
      if (!(err instanceof ConcurrencyConflictError)) throw err;
      // Changed since read (another decision, a timeout, a mail record): read again and re-check.
    }
  }
  if (!saved || !decidedStep) throw new Error(`Approval ${input.approvalId} keeps changing; try again`);

  const decision = decisionOf(saved, decidedStep);
  await services.audit.record(
    decisionAuditRecord(saved, decidedStep, {
      at: now,
      approver: input.approver,
      via: input.linkId ? 'e-mail link' : 'API',
      linkId: input.linkId,
    }),
  );

  let eventError: string | undefined;
  const delays = input.raiseRetryDelaysMs ?? [200, 500, 1000];
  for (let attempt = 0; ; attempt++) {
    try {
      await input.raiseDecision(requestInstanceId(saved.requestId), REQUEST_EVENTS.approvalDecided, decision);
      eventError = undefined;
      break;
    } catch (err) {
      eventError = message(err);
      const delay = delays[attempt];
      if (delay === undefined) break;
      await sleep(delay);
    }
  }
  if (eventError !== undefined) {
    log(services)(
      `Decision on ${saved.id} recorded, but the request's orchestration was not told: ${eventError}`,
    );
  }

  await mailDecision(services, saved, decidedStep);
  return eventError === undefined
    ? { outcome: 'decided', decision, approval: saved, eventRaised: true }
    : { outcome: 'decided', decision, approval: saved, eventRaised: false, eventError };
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
    return refuse(
      409,
      'linkUsed',
      `This link has already been used. ${describeOutcome(approval, step)}`.trim(),
    );
  }
  const approverId = input.approver.id;
  if (sameId(approverId, approval.requesterId) || sameId(approverId, approval.request.createdById)) {
    return refuse(403, 'ownRequest', 'Nobody approves their own request, administrators included.');
  }
  if (!deciderIds(step).some((id) => sameId(id, approverId))) {
    const escalation = step.escalation;
    if (escalation?.approverIds.some((id) => sameId(id, approverId))) {
      return refuse(
        403,
        'notApprover',
        `You are an escalation approver of this stage: you can decide once it escalates${escalation.dueDateTime ? ` (at ${formatUtc(escalation.dueDateTime)})` : ''}, if nobody decided by then.`,
      );
    }
    return refuse(403, 'notApprover', 'You are not an approver of this request.');
  }
  if (approval.status === 'Canceled') {
    return refuse(409, 'canceled', 'The request was canceled: there is nothing left to decide.');
  }
  if (step.reviewResult !== 'NotReviewed' && step.reviewedBy) {
    return refuse(409, 'alreadyDecided', describeOutcome(approval, step));
  }
  const final = finalStep(approval);
  if (final) return refuse(409, 'alreadyDecided', describeOutcome(approval, final));
  const expiredStep = approval.steps.find((s) => s.status === 'Expired');
  if (
    step.status === 'Expired' ||
    approval.status === 'TimedOut' ||
    (step.expiresDateTime !== null && now.getTime() >= Date.parse(step.expiresDateTime))
  ) {
    const ended =
      step.expiresDateTime ?? expiredStep?.expiresDateTime ?? approval.completedDateTime ?? now.toISOString();
    return refuse(
      410,
      'expired',
      `The time to decide ended at ${formatUtc(ended)}: the request can no longer be approved or denied.`,
    );
  }
  if (step.status === 'NotStarted') {
    const index = approval.steps.findIndex((s) => s.id === step.id);
    return refuse(
      409,
      'notStarted',
      `This is stage ${index + 1} of ${approval.steps.length}: it starts once stage ${index} approves, and you will be mailed then.`,
    );
  }
  if (step.status !== 'InProgress' || approval.status !== 'InProgress') {
    return refuse(
      409,
      'alreadyDecided',
      `The approval is ${approval.status}: there is nothing left to decide.`,
    );
  }
  if (justification !== undefined && step.isApproverJustificationRequired && !justification) {
    return refuse(
      400,
      'justificationRequired',
      'A justification is required to approve or deny this request.',
    );
  }
  return undefined;
}

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

function sameId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function refuse(status: DecideRefused['status'], reason: RefusalReason, detail: string): DecideRefused {
  return { outcome: 'refused', status, reason, detail };
}

async function auditRefusal(
  services: ApprovalServices,
  approval: Approval,
  input: DecideInput,
  refusal: DecideRefused,
  now: Date,
): Promise<void> {
  await services.audit.record({
    id: `${approval.id}:refused:${randomUUID()}`,
    activityDateTime: now,
    activityDisplayName: `${input.reviewResult === 'Approve' ? 'Approve' : 'Deny'} request refused (PIM ${approval.accessId})`,
    category: 'Approval',
    operationType: input.reviewResult === 'Approve' ? 'Approve' : 'Deny',
    result: 'failure',
    resultReason: refusal.detail,
    initiatedBy: userActor(input.approver.id, input.approver.displayName),
    targetResources: [
      { id: approval.id, type: 'Approval' },
      { id: approval.requestId, type: 'Request' },
      { id: approval.groupId, type: 'Group', displayName: approval.request.groupDisplayName },
    ],
    groupId: approval.groupId,
    principalId: approval.requesterId,
    correlationId: approval.requestId,
    details: { reason: refusal.reason, via: input.linkId ? 'e-mail link' : 'API' },
  });
}

/** Tells the requester, and (in one message per 50) every approver, how the request was decided. */
async function mailDecision(
  services: ApprovalServices,
  approval: Approval,
  step: ApprovalStep,
): Promise<void> {
  const reviewResult = step.reviewResult === 'Approve' ? 'Approve' : 'Deny';
  const approverIds = [...step.approverIds, ...activeEscalationApproverIds(step)];
  try {
    const ids = [...new Set([approval.requesterId, ...approverIds])];
    const users = await services.directory.getUsers(ids);
    const common = {
      reviewResult,
      reviewerName: step.reviewedBy?.displayName ?? step.reviewedBy?.id ?? 'An approver',
      requesterName: requesterName(approval),
      groupName: groupName(approval),
      accessId: approval.accessId,
      justification: step.justification,
      reviewedDateTime: step.reviewedDateTime ?? approval.completedDateTime ?? approval.createdDateTime,
      startDateTime: approval.request.startDateTime,
      endDateTime: approval.request.endDateTime,
      requestId: approval.requestId,
      action: approval.request.action,
      stage: stageLabel(approval, step),
      continues: approval.status === 'InProgress',
    } as const;
    const sends: Promise<unknown>[] = [];
    const requester = addressOf(users[approval.requesterId] ?? null);
    if (requester) {
      sends.push(
        services.mailer.send({
          to: [requester],
          idempotencyKey: mailIdFor('approval-decided', approval.id, step.id, 'requester'),
          ...approvalDecided({ ...common, audience: 'requester' }),
        }),
      );
    }
    const approverAddresses = approverIds.map((id) => addressOf(users[id] ?? null)).filter(isString);
    chunks([...new Set(approverAddresses)], MAX_RECIPIENTS).forEach((to, i) => {
      sends.push(
        services.mailer.send({
          to,
          idempotencyKey: mailIdFor('approval-decided', approval.id, step.id, 'approvers', String(i)),
          ...approvalDecided({ ...common, audience: 'approvers' }),
        }),
      );
    });
    const results = await Promise.allSettled(sends);
    for (const r of results) {
      if (r.status === 'rejected')
        log(services)(`Decision mail for ${approval.id} not sent: ${message(r.reason)}`);
    }
  } catch (err) {
    log(services)(`Decision mails for ${approval.id} not sent: ${message(err)}`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Expire and cancel

/**
 * The orchestration's timer for a stage fired (`stepId`; without it, the stage in progress): marks the approval
 * TimedOut (that step Expired) — unless the step was decided first, its event still on its way or lost: then that
 * decision is returned, and the request proceeds on it (to the next stage, after an approval that isn't the last).
 * Idempotent.
 */
export async function expireApproval(
  services: Pick<ApprovalServices, 'database' | 'audit' | 'clock'>,
  input: { approvalId: string; groupId: string; stepId?: string; now?: Date },
): Promise<ExpireApprovalResult> {
  const now = input.now ?? services.clock.now();
  const repo = ApprovalRepository.of(services.database);
  const stepOf = (a: Approval) =>
    input.stepId ? a.steps.find((s) => s.id === input.stepId) : currentStep(a);
  const result = await update(repo, input.approvalId, input.groupId, (a) => {
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
    const stage = expired ? approval.steps.indexOf(expired) + 1 : 1;
    await services.audit.record({
      id: `${approval.id}:approval:timed-out`,
      activityDateTime: now,
      activityDisplayName: `Approval timed out: nobody decided in time (PIM ${approval.accessId})`,
      category: 'Approval',
      operationType: 'Expire',
      result: 'timeout',
      resultReason:
        approval.steps.length > 1 ? `Nobody decided stage ${stage} in time` : 'Nobody decided in time',
      initiatedBy: SYSTEM_ACTOR,
      targetResources: [
        { id: approval.id, type: 'Approval' },
        { id: approval.requestId, type: 'Request' },
        { id: approval.groupId, type: 'Group', displayName: approval.request.groupDisplayName },
      ],
      groupId: approval.groupId,
      principalId: approval.requesterId,
      correlationId: approval.requestId,
      details: { accessId: approval.accessId, stage: String(stage), stepId: expired?.id ?? null },
    });
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
  const repo = ApprovalRepository.of(services.database);
  const result = await update(repo, input.approvalId, input.groupId, (a) =>
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
  await services.audit.record({
    id: `${approval.id}:approval:canceled`,
    activityDateTime: approval.completedDateTime ? new Date(approval.completedDateTime) : now,
    activityDisplayName: `Approval canceled with its request (PIM ${approval.accessId})`,
    category: 'Approval',
    operationType: 'Cancel',
    result: 'success',
    resultReason: 'Canceled by the requester',
    initiatedBy: input.by
      ? userActor(input.by.id, input.by.displayName)
      : userActor(approval.requesterId, approval.request.principalDisplayName),
    targetResources: [
      { id: approval.id, type: 'Approval' },
      { id: approval.requestId, type: 'Request' },
      { id: approval.groupId, type: 'Group', displayName: approval.request.groupDisplayName },
    ],
    groupId: approval.groupId,
    principalId: approval.requesterId,
    correlationId: approval.requestId,
    details: { accessId: approval.accessId },
  });
  if (result.changed) {
    try {
      const notified = [...new Set(approval.steps.flatMap(notifiedIds))];
      const users = await services.directory.getUsers(notified);
      const addresses = [...new Set(notified.map((id) => addressOf(users[id] ?? null)).filter(isString))];
      for (const [i, to] of chunks(addresses, MAX_RECIPIENTS).entries()) {
        await services.mailer.send({
          to,
          idempotencyKey: mailIdFor('approval-canceled', approval.id, String(i)),
          ...approvalCanceled({
            requesterName: requesterName(approval),
            groupName: groupName(approval),
            accessId: approval.accessId,
            startDateTime: approval.request.startDateTime,
            endDateTime: approval.request.endDateTime,
            requestId: approval.requestId,
          }),
        });
      }
    } catch (err) {
      log(services)(`Cancel notice for ${approval.id} not sent: ${message(err)}`);
    }
  }
  return { outcome: 'Canceled' };
}

/**
 * The audit record of a step's decision (id `{approvalId}:{stepId}:decided`, dated when it was decided). Written by
 * the decision itself, and again — a no-op when it exists — when the orchestration reads the decision, so a crash
 * between the decision's write and its audit record loses neither.
 */
export function decisionAuditRecord(
  saved: Approval,
  decidedStep: ApprovalStep,
  o: {
    at: Date;
    approver: { id: string; displayName: string | null };
    via: string;
    linkId?: string | null;
  },
): AuditRecord {
  const justification = decidedStep.justification;
  const reviewResult = decidedStep.reviewResult === 'Approve' ? 'Approve' : 'Deny';
  return {
    id: `${saved.id}:${decidedStep.id}:decided`,
    activityDateTime: o.at,
    activityDisplayName: `${reviewResult === 'Approve' ? 'Approve' : 'Deny'} request (PIM ${saved.accessId})`,
    category: 'Approval',
    operationType: reviewResult === 'Approve' ? 'Approve' : 'Deny',
    result: 'success',
    resultReason: justification ?? '',
    initiatedBy: userActor(o.approver.id, o.approver.displayName),
    targetResources: [
      { id: saved.id, type: 'Approval' },
      { id: saved.requestId, type: 'Request' },
      { id: saved.groupId, type: 'Group', displayName: saved.request.groupDisplayName },
      { id: saved.requesterId, type: 'Principal', displayName: saved.request.principalDisplayName },
    ],
    groupId: saved.groupId,
    principalId: saved.requesterId,
    correlationId: saved.requestId,
    details: {
      accessId: saved.accessId,
      stepId: decidedStep.id,
      stage: String(saved.steps.findIndex((s) => s.id === decidedStep.id) + 1),
      stageCount: String(saved.steps.length),
      escalationApprover: String(!decidedStep.approverIds.some((id) => sameId(id, o.approver.id))),
      reviewResult: reviewResult,
      justification,
      via: o.via,
      linkId: o.linkId,
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Helpers

/** The decision that ended the approval (a deny at any stage, or the last stage's approval), if any. */
export function decisionIfAny(approval: Approval): ApprovalDecision | undefined {
  const step = finalStep(approval);
  return step ? decisionOf(approval, step) : undefined;
}

function decisionOf(approval: Approval, step: ApprovalStep): ApprovalDecision {
  return {
    approvalId: approval.id,
    stepId: step.id,
    reviewResult: step.reviewResult === 'Approve' ? 'Approve' : 'Deny',
    justification: step.justification,
    reviewedBy: { id: step.reviewedBy?.id ?? '', displayName: step.reviewedBy?.displayName ?? null },
    reviewedDateTime: step.reviewedDateTime ?? approval.completedDateTime ?? approval.createdDateTime,
  };
}

/** Applies `change` with the ETag, re-reading on conflict; `changed` false when `change` returned undefined. */
async function update(
  repo: ApprovalRepository,
  id: string,
  groupId: string,
  change: (a: Approval) => Approval | undefined,
): Promise<{ approval: StoredApproval; changed: boolean }> {
  try {
    const { document, changed } = await repo.documents.update(id, groupId, change, MAX_WRITE_ATTEMPTS);
    return { approval: document, changed };
  } catch (err) {
    if (err instanceof NotFoundError)
      throw new Error(`No approval ${id} in group ${groupId}`, { cause: err });
    throw err;
  }
}

function normalizeJustification(value: string | null | undefined): string | null {
  const trimmed = (value ?? '').replace(/\r\n/g, '\n').trim();
  return trimmed === '' ? null : trimmed;
}

export function requesterName(approval: Approval): string {
  return approval.request.principalDisplayName ?? approval.requesterId;
}

export function groupName(approval: Approval): string {
  return approval.request.groupDisplayName ?? approval.groupId;
}

function addressOf(user: DirectoryUser | null): string | undefined {
  if (!user || !user.accountEnabled) return undefined;
  return user.mail ?? user.userPrincipalName ?? undefined;
}

function isString(value: string | undefined): value is string {
  return typeof value === 'string';
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function forEachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function log(services: Pick<ApprovalServices, 'log'>): (message: string) => void {
  return services.log ?? ((m) => console.warn(m));
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
