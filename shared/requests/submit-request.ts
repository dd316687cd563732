/**
 * Accepting a schedule request (POST assignmentScheduleRequests / eligibilityScheduleRequests): who may ask for
 * what, PIM's rules, at most one open request per principal, group and role, then the stored request that the
 * request orchestration carries out. Nothing is written unless every check passes.
 */
import { APP_ROLES, type CallerPrincipal } from '../auth/principal';
import type { Directory } from '../directory/directory';
import type { AuditWriter } from '../audit/domain/audit-record';
import { resourceTypeOf } from '../access/resource';
import type { RemovalRule } from '../access/access-provider';
import type { AzureRbac } from '../azure/azure-rbac';
import { lastAdminKeptRecord } from './domain/audit-records';
import type { Stored } from '../storage/stored';
import type { RoleSettings, RoleSettingsSource } from '../policies/domain/role-settings';
import type { Schedule } from '../lifecycle/domain/schedule';
import type { PimStore } from './adapters/pim-store';
import type { RequestBody, RequestKind } from './domain/request-body';
import { checkActivation, checkAdminAssignment, resolveWindow } from './domain/request-rules';
import {
  checkAzureRolePrincipal,
  checkRolePrincipal,
  endsAccess,
  resourcePhrase,
  targetNoun,
  type RolePrincipal,
} from './domain/principal-rules';
import { requestInstanceId, type ApprovalPolicy } from './domain/schedule-request';
import { fromRule, refused, type SubmitResult } from './domain/submit-outcome';
import { claimSlot, IDEMPOTENT_RETRY_WINDOW_MS, idempotencyKeyOf, newRequest } from './request-factory';
import { extendAccess, renewAccess } from './extend-renew';

export interface SubmitDeps {
  store: PimStore;
  roleSettings: RoleSettingsSource;
  directory: Directory;
  audit: AuditWriter;
  /** Admins, and active owners of the group (the seeds' rule), may manage its assignments. */
  canManageGroup(caller: CallerPrincipal, groupId: string): Promise<boolean>;
  /**
   * The rules the access port's guards apply to a revoke (the last Global Administrator, a governed subscription's
   * last Owner), asked before an end is accepted: a refusal is a 400 now rather than a kept access later.
   */
  whyRemovalRefused: RemovalRule;
  /** ARM, to check an Azure role request's scope exists (the settings may be a managed scope's above it). */
  azureRbac: Pick<AzureRbac, 'getScope'>;
}

const AZURE_NOT_MANAGED = ['AzureScopeNotManagedError', 'AzureRoleNotFoundError'];

/** Accepts (or refuses) a request: what the HTTP edge does next, as a domain outcome (domain/submit-outcome.ts). */
export async function submitRequest(
  deps: SubmitDeps,
  kind: RequestKind,
  body: RequestBody,
  caller: CallerPrincipal,
  now: Date,
): Promise<SubmitResult> {
  if (body.action === 'adminUpdate') {
    return refused(
      'invalid',
      'adminUpdate is not supported: use adminExtend to move an end, or adminRemove and adminAssign to change a schedule',
    );
  }
  if ((body.action === 'selfActivate' || body.action === 'selfDeactivate') && kind !== 'assignment') {
    return refused('invalid', `${body.action} is an assignmentScheduleRequests action`);
  }
  let settings: RoleSettings;
  try {
    settings = await deps.roleSettings.get(body.groupId, body.accessId, body.resourceType);
  } catch (err) {
    if (err instanceof Error && err.name === 'GroupNotManagedError')
      return refused('notFound', `The group ${body.groupId} is not under management`);
    if (err instanceof Error && err.name === 'RoleNotManagedError') return refused('notFound', err.message);
    // An Azure scope nothing governs, or a role ARM hasn't there: the request names what can't be, a 400.
    if (err instanceof Error && AZURE_NOT_MANAGED.includes(err.name)) return refused('invalid', err.message);
    throw err;
  }
  const self = body.action.startsWith('self');
  const azureRole = body.resourceType === 'azureRole';
  // Roles (Entra and Azure) have no owners and their principals follow the role rules; groups are the others.
  const role = body.resourceType === 'directoryRole' || azureRole;
  if (self) {
    // Principals act only on their own requests, admins included.
    if (body.principalId !== caller.objectId)
      return refused('forbidden', 'You can only make self-service requests for yourself');
  } else if (!caller.roles.includes(APP_ROLES.admin)) {
    // Roles have no owners: only admins manage who holds them.
    if (role)
      return refused(
        'forbidden',
        `Only admins (PimFlow.Admin) can manage ${azureRole ? 'Azure' : 'Microsoft Entra'} role assignments`,
      );
    if (!(await deps.canManageGroup(caller, body.groupId)))
      return refused('forbidden', 'Only admins and active owners of the group can manage its assignments');
  }
  // An admin's assignment names the scope; a principal's own request acts on what was assigned there.
  if (azureRole && !self && !endsAccess(body.action) && !(await deps.azureRbac.getScope(body.groupId)))
    return refused('invalid', `Azure Resource Manager has no scope ${body.groupId}`);
  if (role && !endsAccess(body.action)) {
    const failure = (azureRole ? checkAzureRolePrincipal : checkRolePrincipal)(
      await rolePrincipal(deps, body, caller),
      body.principalId,
      kind,
      body.action,
    );
    if (failure) return fromRule(failure);
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
      return refused(
        'forbidden',
        `You are not eligible for ${body.accessId} ${resourcePhrase(body)} at ${window.start.toISOString()}`,
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
      return refused(
        'conflict',
        `You already have ${body.accessId} ${resourcePhrase(body)} (schedule ${active.items[0]?.id}); deactivate it first`,
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
    // A role's principal was looked up above (principal rules).
    if (!role && !(await deps.directory.getPrincipal(body.principalId)))
      return refused('invalid', `No principal ${body.principalId} in the directory`);
  }

  const requireApproval = body.action === 'selfActivate' && settings.activation.requireApproval;
  const approval: ApprovalPolicy | null = requireApproval ? { kind: 'activation' } : null;
  const scheduleInfo = body.scheduleInfo ?? { expiration: { type: 'noExpiration' } };
  const request = newRequest(body, kind, caller, now, {
    // A start a little in the past was taken as now (request-rules.ts): the request says so, as Graph's does.
    scheduleInfo:
      scheduleInfo.startDateTime && new Date(scheduleInfo.startDateTime) < window.start
        ? { ...scheduleInfo, startDateTime: window.start.toISOString() }
        : scheduleInfo,
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
  kind: RequestKind,
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
    return refused(
      'notFound',
      `No current ${kind} of ${body.accessId} for this principal and ${targetNoun(body)} to end`,
    );
  }
  if (body.action === 'selfDeactivate' && target.assignmentType !== 'activated') {
    return refused(
      'invalid',
      'Only an activated assignment can be deactivated by its principal; an assigned one is removed by an admin',
    );
  }
  if (kind === 'assignment') {
    // Seed 002 and issue 17: the directory never loses its last Global Administrator or Privileged Role
    // Administrator, a governed subscription never its last Owner.
    const why = await deps.whyRemovalRefused({
      resourceType: resourceTypeOf(target),
      resourceId: target.groupId,
      role: target.accessId,
      principalId: target.principalId,
    });
    if (why) {
      await deps.audit.record(
        lastAdminKeptRecord(
          target,
          body.action,
          why,
          { id: caller.objectId, displayName: caller.displayName ?? null },
          now,
        ),
      );
      return refused('invalid', `${why}: assign the role to someone else first`);
    }
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

/**
 * The principal of a role request, as the principal rules need it. A self-service request's principal is the
 * signed-in caller (a user): no lookup on the activation path.
 */
async function rolePrincipal(
  deps: SubmitDeps,
  body: RequestBody,
  caller: CallerPrincipal,
): Promise<RolePrincipal | null> {
  if (body.action.startsWith('self'))
    return { id: caller.objectId, type: caller.kind === 'user' ? 'user' : 'servicePrincipal' };
  const principal = await deps.directory.getPrincipal(body.principalId);
  if (principal?.type !== 'group') return principal;
  const group = await deps.directory.getGroup(principal.id);
  return {
    ...principal,
    isAssignableToRole: group?.isAssignableToRole ?? false,
    isSecurityGroup: (group?.securityEnabled ?? false) && !(group?.groupTypes ?? []).includes('Unified'),
  };
}
