/**
 * Accepting a schedule request (POST assignmentScheduleRequests / eligibilityScheduleRequests): who may ask for
 * what, PIM's rules, at most one open request per principal, group and role, then the stored request that the
 * request orchestration carries out. Nothing is written unless every check passes.
 */
import { z } from 'zod';
import { APP_ROLES, type CallerPrincipal } from '../auth/principal';
import type { Directory } from '../directory/directory';
import type { Stored } from '../storage/stored';
import { accessIdSchema, type RoleSettings, type RoleSettingsSource } from '../policies/domain/role-settings';
import type { Schedule } from '../lifecycle/domain/schedule';
import type { PimStore } from './adapters/pim-store';
import { checkActivation, checkAdminAssignment, resolveWindow } from './domain/request-rules';
import {
  requestActionSchema,
  requestInstanceId,
  scheduleInfoSchema,
  ticketInfoSchema,
  type ScheduleRequest,
  type ApprovalPolicy,
  type RequestAction,
} from './domain/schedule-request';
import {
  claimSlot,
  fromRule,
  IDEMPOTENT_RETRY_WINDOW_MS,
  idempotencyKeyOf,
  newRequest,
  problem,
} from './request-factory';
import { extendAccess, renewAccess } from './extend-renew';

export const requestBodySchema = z.strictObject({
  action: requestActionSchema,
  accessId: accessIdSchema,
  groupId: z.guid(),
  principalId: z.guid(),
  justification: z.string().max(500).nullable().optional(),
  ticketInfo: ticketInfoSchema.nullable().optional(),
  scheduleInfo: scheduleInfoSchema.optional(),
  isValidationOnly: z.boolean().optional(),
  targetScheduleId: z.string().nullable().optional(),
});
export type RequestBody = z.infer<typeof requestBodySchema>;

export interface SubmitDeps {
  store: PimStore;
  roleSettings: RoleSettingsSource;
  directory: Directory;
  /** Admins, and active owners of the group (the seeds' rule), may manage its assignments. */
  canManageGroup(caller: CallerPrincipal, groupId: string): Promise<boolean>;
}

/**
 * What the HTTP layer does next: start the request's orchestration and then store the request (`start`; the slot is
 * taken), tell a running one to end (`end`; the end request is stored), answer with a request stored earlier by the
 * same POST (`existing`: a client retrying after a lost answer), or answer with a problem.
 */
export type SubmitResult =
  | { outcome: 'start'; request: ScheduleRequest }
  | {
      outcome: 'end';
      request: ScheduleRequest;
      targetInstanceId: string;
      by: { id: string; displayName: string | null };
    }
  | { outcome: 'existing'; request: ScheduleRequest }
  | { outcome: 'validated'; request: ScheduleRequest }
  | { outcome: 'problem'; status: number; detail: string; claims?: string };

/** What the request orchestration carries out: read from the stored request (`workflowOf`), never from its input. */
export interface RequestWorkflowInput {
  requestId: string;
  groupId: string;
  kind: 'assignment' | 'eligibility';
  action: WorkflowAction;
  accessId: 'member' | 'owner';
  principalId: string;
  startDateTime: string;
  /** The new schedule's end; for an extension, the target schedule's new end. */
  endDateTime: string | null;
  /** The approval the request needs first, if any. */
  approval: ApprovalPolicy | null;
  /** The eligibility an activation comes from. */
  activatedUsing: string | null;
}

/** The actions that start an orchestration (the others end one, or are refused). */
export type WorkflowAction = Extract<
  RequestAction,
  'selfActivate' | 'adminAssign' | 'selfExtend' | 'adminExtend' | 'selfRenew' | 'adminRenew'
>;

export async function submitRequest(
  deps: SubmitDeps,
  kind: 'assignment' | 'eligibility',
  body: RequestBody,
  caller: CallerPrincipal,
  now: Date,
): Promise<SubmitResult> {
  if (body.action === 'adminUpdate') {
    return problem(
      400,
      'adminUpdate is not supported: use adminExtend to move an end, or adminRemove and adminAssign to change a schedule',
    );
  }
  if ((body.action === 'selfActivate' || body.action === 'selfDeactivate') && kind !== 'assignment') {
    return problem(400, `${body.action} is an assignmentScheduleRequests action`);
  }
  let settings: RoleSettings;
  try {
    settings = await deps.roleSettings.get(body.groupId, body.accessId);
  } catch (err) {
    if (err instanceof Error && err.name === 'GroupNotManagedError')
      return problem(404, `The group ${body.groupId} is not under management`);
    throw err;
  }
  const self = body.action.startsWith('self');
  if (self) {
    // Principals act only on their own requests, admins included.
    if (body.principalId !== caller.objectId)
      return problem(403, 'You can only make self-service requests for yourself');
  } else if (!caller.roles.includes(APP_ROLES.admin) && !(await deps.canManageGroup(caller, body.groupId))) {
    return problem(403, 'Only admins and active owners of the group can manage its assignments');
  }
  if (!body.isValidationOnly) {
    // The same POST again (its answer was lost): the request it made, not a second one or a 409.
    const same = await deps.store.latestSameRequest(
      { groupId: body.groupId, principalId: body.principalId, accessId: body.accessId, kind },
      idempotencyKeyOf(kind, body, caller),
      new Date(now.getTime() - IDEMPOTENT_RETRY_WINDOW_MS),
    );
    if (same) return { outcome: 'existing', request: same };
  }
  if (body.action === 'selfDeactivate' || body.action === 'adminRemove')
    return endAccess(deps, kind, body, caller, now);
  if (body.action === 'selfExtend' || body.action === 'adminExtend')
    return extendAccess(deps, kind, body, caller, now, settings);
  if (body.action === 'selfRenew' || body.action === 'adminRenew')
    return renewAccess(deps, kind, body, caller, now, settings);

  const window = resolveWindow(body.scheduleInfo ?? { expiration: { type: 'noExpiration' } }, now);
  if ('kind' in window) return fromRule(window);

  let activatedUsing: string | null = null;
  if (body.action === 'selfActivate') {
    // Both reads are needed on the success path (the hot one): issue them together.
    const [eligibility, active] = await Promise.all([
      deps.store.eligibilityInForce(body.groupId, body.principalId, body.accessId, window.start),
      deps.store.listSchedules({
        groupId: body.groupId,
        principalId: body.principalId,
        accessId: body.accessId,
        kind: 'assignment',
        pageSize: 1,
      }),
    ]);
    if (!eligibility)
      return problem(
        403,
        `You are not eligible for ${body.accessId} of this group at ${window.start.toISOString()}`,
      );
    const failure = checkActivation({
      window,
      justification: body.justification ?? null,
      ticketNumber: body.ticketInfo?.ticketNumber ?? null,
      caller,
      settings,
      eligibilityEnd: eligibility.endDateTime ? new Date(eligibility.endDateTime) : null,
    });
    if (failure) return fromRule(failure);
    if (active.items.length > 0)
      return problem(
        409,
        `You already have ${body.accessId} of this group (schedule ${active.items[0]?.id}); deactivate it first`,
      );
    activatedUsing = eligibility.id;
  } else {
    const failure = checkAdminAssignment({
      kind,
      window,
      justification: body.justification ?? null,
      caller,
      settings,
    });
    if (failure) return fromRule(failure);
    if (!(await deps.directory.getPrincipal(body.principalId)))
      return problem(400, `No principal ${body.principalId} in the directory`);
  }

  const requireApproval = body.action === 'selfActivate' && settings.activation.requireApproval;
  const approval: ApprovalPolicy | null = requireApproval ? { kind: 'activation' } : null;
  const request = newRequest(body, kind, caller, now, {
    scheduleInfo: body.scheduleInfo ?? { expiration: { type: 'noExpiration' } },
    startDateTime: window.start.toISOString(),
    endDateTime: window.end?.toISOString() ?? null,
    targetScheduleId: null,
    approvalId: requireApproval ? 'self' : null,
    status: requireApproval
      ? 'PendingApproval'
      : kind === 'assignment'
        ? 'PendingProvisioning'
        : 'PendingScheduleCreation',
    completedDateTime: null,
    workflow: {
      action: body.action === 'selfActivate' ? 'selfActivate' : 'adminAssign',
      approval,
      activatedUsing,
    },
  });
  if (request.isValidationOnly) return { outcome: 'validated', request };
  return claimSlot(deps.store, request, now);
}

async function endAccess(
  deps: SubmitDeps,
  kind: 'assignment' | 'eligibility',
  body: RequestBody,
  caller: CallerPrincipal,
  now: Date,
): Promise<SubmitResult> {
  let target: Stored<Schedule> | undefined;
  if (body.targetScheduleId) {
    target = await deps.store.findSchedule(body.targetScheduleId, body.groupId);
  } else {
    const page = await deps.store.listSchedules({
      groupId: body.groupId,
      principalId: body.principalId,
      accessId: body.accessId,
      kind,
      pageSize: 10,
    });
    target = page.items.find((s) =>
      body.action === 'selfDeactivate' ? s.assignmentType === 'activated' : true,
    );
  }
  if (
    !target ||
    target.kind !== kind ||
    target.principalId !== body.principalId ||
    target.accessId !== body.accessId ||
    !['Scheduled', 'Provisioned'].includes(target.status)
  ) {
    return problem(404, `No current ${kind} of ${body.accessId} for this principal and group to end`);
  }
  if (body.action === 'selfDeactivate' && target.assignmentType !== 'activated') {
    return problem(
      400,
      'Only an activated assignment can be deactivated by its principal; an assigned one is removed by an admin',
    );
  }
  const request = newRequest(body, kind, caller, now, {
    scheduleInfo: target.scheduleInfo,
    startDateTime: now.toISOString(),
    endDateTime: now.toISOString(),
    targetScheduleId: target.id,
    approvalId: null,
    status: 'Revoked',
    completedDateTime: now.toISOString(),
    orchestrationInstanceId: requestInstanceId(target.createdUsing),
  });
  if (request.isValidationOnly) return { outcome: 'validated', request };
  // Stored first, then the target's orchestration is told: it confirms the end against this document, and the
  // reconciler re-sends the end until it has (deliveredDateTime).
  await deps.store.requests.create({ ...request, deliveredDateTime: null });
  return {
    outcome: 'end',
    request,
    targetInstanceId: requestInstanceId(target.createdUsing),
    by: { id: caller.objectId, displayName: caller.displayName ?? null },
  };
}
