/** Building blocks of request handling: a new stored request, the orchestration's input, problem results. */
import { randomUUID } from 'node:crypto';
import type { CallerPrincipal } from '../../auth/principal';
import type { RuleFailure } from './request-rules';
import { requestInstanceId, type ApprovalPolicy, type ScheduleRequest } from './schedule-request';
import type { RequestBody, RequestWorkflowInput, SubmitResult, WorkflowAction } from './submit-request';

/**
 * A new request from the body and the caller. A new schedule's id is the request's own (`targetScheduleId: null`
 * here), as is its approval's (`approvalId: 'self'`); its orchestration is the request's unless given.
 */
export function newRequest(
  body: RequestBody,
  kind: 'assignment' | 'eligibility',
  caller: CallerPrincipal,
  now: Date,
  fields: Pick<
    ScheduleRequest,
    'scheduleInfo' | 'startDateTime' | 'endDateTime' | 'targetScheduleId' | 'status' | 'completedDateTime'
  > & {
    approvalId: 'self' | null;
    orchestrationInstanceId?: string;
  },
): ScheduleRequest {
  const id = randomUUID();
  return {
    id,
    groupId: body.groupId,
    kind,
    action: body.action,
    accessId: body.accessId,
    principalId: body.principalId,
    justification: body.justification ?? null,
    ticketInfo: body.ticketInfo ?? null,
    isValidationOnly: body.isValidationOnly ?? false,
    createdBy: { user: { id: caller.objectId, displayName: caller.displayName ?? null } },
    createdDateTime: now.toISOString(),
    ...fields,
    targetScheduleId: fields.targetScheduleId ?? id,
    approvalId: fields.approvalId === 'self' ? id : null,
    orchestrationInstanceId: fields.orchestrationInstanceId ?? requestInstanceId(id),
  };
}

export function workflowInput(
  r: ScheduleRequest,
  action: WorkflowAction,
  approval: ApprovalPolicy | null,
  activatedUsing: string | null,
): RequestWorkflowInput {
  return {
    requestId: r.id,
    groupId: r.groupId,
    kind: r.kind,
    action,
    accessId: r.accessId,
    principalId: r.principalId,
    startDateTime: r.startDateTime,
    endDateTime: r.endDateTime,
    approval,
    activatedUsing,
  };
}

export function fromRule(f: RuleFailure): SubmitResult {
  return f.kind === 'stepUp'
    ? { outcome: 'problem', status: 401, detail: f.detail, claims: f.claims }
    : problem(400, f.detail);
}

export function problem(status: number, detail: string): SubmitResult {
  return { outcome: 'problem', status, detail };
}
