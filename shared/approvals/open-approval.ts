/** Opening the approval of a request: its stages planned, approvers resolved, the first stage started and mailed. */
import { randomUUID } from 'node:crypto';
import { describeAccess } from '../access/describe-access';
import { resourceTypeOf } from '../access/resource';
import type { RoleSettings } from '../policies/domain/role-settings';
import type { ApprovalPolicy, ScheduleRequest } from '../requests/domain/schedule-request';
import { AlreadyExistsError } from '../storage/errors';
import { mailApprovers } from './approval-mails';
import { warn, type ApprovalServices } from './approval-services';
import type { ApprovalStageInfo } from './contract';
import type { ApprovalStep, StoredApproval } from './domain/approval';
import {
  approvalPlan,
  plannedStep,
  stageInfo,
  startedStep,
  type StageApprover,
} from './domain/approval-stages';
import { approvalRequestedRecord, noApproversRecord } from './domain/audit-records';
import { resolveApprovers } from './resolve-approvers';

/** The fields of a request an approval needs. */
export type ApprovalRequestInput = Pick<
  ScheduleRequest,
  | 'id'
  | 'resourceType'
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

/** The first stage, with whom it asked; or nobody but the requester could approve a stage. */
export type OpenedApproval = (ApprovalStageInfo & { approverIds: string[] }) | { noApprovers: true };

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
): Promise<OpenedApproval> {
  const { request, now } = input;
  const approval =
    (await services.approvals.find(request.id, request.groupId)) ?? (await createApproval(services, input));
  if (!approval) return { noApprovers: true };
  const step = approval.steps[0] as ApprovalStep;
  await services.audit.record(approvalRequestedRecord(approval, step));
  if (approval.status === 'InProgress' && step.status === 'InProgress') {
    await mailApprovers(services, approval, step, 'approvers', now);
  }
  return { ...stageInfo(approval, step), approverIds: step.approverIds };
}

/** Plans and stores the approval (undefined, audited, when a stage has no approver but the requester). */
async function createApproval(
  services: ApprovalServices,
  input: { request: ApprovalRequestInput; settings?: RoleSettings; policy?: ApprovalPolicy; now: Date },
): Promise<StoredApproval | undefined> {
  const { request, now } = input;
  const plan = approvalPlan(input.settings, input.policy, resourceTypeOf(request));
  const excluded = new Set([request.principalId, request.createdBy.user.id]);
  const resolve = (approvers: StageApprover[], also: ReadonlySet<string> = new Set()) =>
    resolveApprovers(
      services.directory,
      approvers,
      request.groupId,
      new Set([...excluded, ...also]),
      warn(services),
    );
  const [principal, access] = await Promise.all([
    services.directory.getUser(request.principalId),
    describeAccess(services, request),
  ]);
  const steps: ApprovalStep[] = [];
  for (const [index, stage] of plan.entries()) {
    const approverIds = await resolve(stage.approvers);
    if (approverIds.length === 0) {
      await services.audit.record(noApproversRecord(request, now, plan.length > 1 ? index + 1 : undefined));
      return undefined;
    }
    const escalationApproverIds =
      stage.escalationApprovers.length > 0
        ? await resolve(stage.escalationApprovers, new Set(approverIds))
        : [];
    const step = plannedStep(plan, index, { id: randomUUID(), approverIds, escalationApproverIds });
    steps.push(index === 0 ? startedStep(step, now) : step);
  }
  try {
    return await services.approvals.create({
      id: request.id,
      groupId: request.groupId,
      requestId: request.id,
      requesterId: request.principalId,
      accessId: request.accessId,
      ...(request.resourceType ? { resourceType: request.resourceType } : {}),
      status: 'InProgress',
      createdDateTime: now.toISOString(),
      completedDateTime: null,
      request: {
        action: request.action,
        principalDisplayName: principal?.displayName ?? null,
        // The group's name, or the directory role's.
        groupDisplayName: access.name,
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
    // A concurrent run created it first.
    const created = await services.approvals.find(request.id, request.groupId);
    if (!created) throw new Error(`Approval ${request.id} exists and then doesn't`, { cause: err });
    return created;
  }
}
