/**
 * What a request's orchestration carries out, read from the stored request (`workflowOf`), never from the
 * orchestration's input (which anyone with the management API's key could forge); and the schedule it creates.
 */
import type { Schedule } from '../../lifecycle/domain/schedule';
import type { ApprovalPolicy, RequestAction, ScheduleRequest } from './schedule-request';
import type { RequestKind } from './request-body';
import { resourceTypeOf, type ResourceType } from '../../access/resource';

/** The actions that start an orchestration (the others end one, or are refused). */
export type WorkflowAction = Extract<
  RequestAction,
  'selfActivate' | 'adminAssign' | 'selfExtend' | 'adminExtend' | 'selfRenew' | 'adminRenew'
>;

/** What the request orchestration carries out. */
export interface RequestWorkflowInput {
  requestId: string;
  /** Absent in workflows read before Entra roles (in running orchestrations' histories): a group. */
  resourceType?: ResourceType;
  groupId: string;
  kind: RequestKind;
  action: WorkflowAction;
  accessId: string;
  principalId: string;
  startDateTime: string;
  /** The new schedule's end; for an extension, the target schedule's new end. */
  endDateTime: string | null;
  /** The approval the request needs first, if any. */
  approval: ApprovalPolicy | null;
  /** The eligibility an activation comes from. */
  activatedUsing: string | null;
}

/** How long the admins have to decide a request stored before `workflow` existed (from its creation). */
const LEGACY_ADMIN_APPROVAL_MS = 14 * 86_400_000;

/**
 * What the orchestration carries out, from the stored request. Requests stored before `workflow` existed: their
 * action, and the activation approval when they had one (an admins' approval is given its expiry from the start).
 */
export function workflowOf(r: ScheduleRequest): RequestWorkflowInput {
  const stored = r.workflow;
  const action = (stored?.action ?? r.action) as WorkflowAction;
  let approval: ApprovalPolicy | null = stored ? stored.approval : null;
  if (!stored && r.approvalId) {
    approval =
      r.action.startsWith('self') && r.action !== 'selfActivate'
        ? {
            kind: 'admins',
            expiresDateTime: new Date(Date.parse(r.createdDateTime) + LEGACY_ADMIN_APPROVAL_MS).toISOString(),
          }
        : { kind: 'activation' };
  }
  return {
    requestId: r.id,
    resourceType: resourceTypeOf(r),
    groupId: r.groupId,
    kind: r.kind,
    action,
    accessId: r.accessId,
    principalId: r.principalId,
    startDateTime: r.startDateTime,
    endDateTime: r.endDateTime,
    approval,
    activatedUsing: stored?.activatedUsing ?? null,
  };
}

/** The schedule a workflow creates (its id is the request's), as first stored. */
export function scheduleFrom(input: RequestWorkflowInput, status: Schedule['status'], now: string): Schedule {
  return {
    id: input.requestId,
    ...(input.resourceType && input.resourceType !== 'group' ? { resourceType: input.resourceType } : {}),
    groupId: input.groupId,
    kind: input.kind,
    principalId: input.principalId,
    accessId: input.accessId,
    memberType: 'direct',
    assignmentType:
      input.kind === 'assignment' ? (input.action === 'selfActivate' ? 'activated' : 'assigned') : null,
    status,
    scheduleInfo: {
      startDateTime: input.startDateTime,
      expiration: input.endDateTime
        ? { type: 'afterDateTime', endDateTime: input.endDateTime }
        : { type: 'noExpiration' },
    },
    startDateTime: input.startDateTime,
    endDateTime: input.endDateTime,
    createdUsing: input.requestId,
    activatedUsing: input.activatedUsing,
    createdDateTime: now,
    modifiedDateTime: now,
  };
}
