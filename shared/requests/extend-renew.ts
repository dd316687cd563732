/**
 * Extending and renewing schedules (PIM's Extend and Renew):
 * - `selfExtend`: the principal asks, within 14 days of the end, to move the end of a current eligible or active
 *   assignment; the group's admins (its owners) approve. An activation can be extended too — through the role's
 *   activation approval when `isApprovalRequiredForExtension` is set — within the activation's maximum length
 *   from now and the eligibility's end.
 * - `selfRenew`: within 30 days after an assignment expired, the principal asks for it again; owners approve; it
 *   becomes a new schedule.
 * - `adminExtend` / `adminRenew`: admins and the group's owners do either, for anyone, without an approval.
 * An extension moves the target schedule's end and its lifecycle's timers (the target's orchestration keeps
 * running); a renewal starts a new schedule with its own orchestration.
 */
import type { CallerPrincipal } from '../auth/principal';
import type { Stored } from '../storage/stored';
import { parseIsoDuration } from '../iso-duration';
import type { RoleSettings } from '../policies/domain/role-settings';
import type { Schedule } from '../lifecycle/domain/schedule';
import type { PimStore } from './adapters/pim-store';
import { claimSlot, newRequest } from './request-factory';
import {
  checkActivation,
  checkAdminAssignment,
  checkAssignmentLength,
  maximumDurationOf,
  resolveWindow,
  type RuleFailure,
  type Window,
} from './domain/request-rules';
import type { RequestBody, RequestKind } from './domain/request-body';
import type { ApprovalPolicy, ScheduleInfo } from './domain/schedule-request';
import { fromRule, refused, type Refusal, type SubmitResult } from './domain/submit-outcome';
import { targetNoun } from './domain/principal-rules';

const DAY_MS = 86_400_000;
/** PIM: a principal may ask to extend within 14 days of the end, and to renew within 30 days after it. */
export const EXTEND_WINDOW_MS = 14 * DAY_MS;
export const RENEW_WINDOW_MS = 30 * DAY_MS;
/** How long the admins have to decide a renewal. */
const RENEW_APPROVAL_MS = 14 * DAY_MS;

/** Extending and renewing read schedules and take the open-request slot: the store is all they need. */
export interface ExtendRenewDeps {
  store: PimStore;
}

export async function extendAccess(
  deps: ExtendRenewDeps,
  kind: RequestKind,
  body: RequestBody,
  caller: CallerPrincipal,
  now: Date,
  settings: RoleSettings,
): Promise<SubmitResult> {
  const self = body.action === 'selfExtend';
  const found = await targetOf(deps, kind, body, ['Provisioned', 'Scheduled']);
  if ('refusal' in found) return found.refusal;
  const target = found.schedule;
  if (target.endDateTime === null)
    return refused('invalid', `Schedule ${target.id} is permanent: there is no end to extend`);
  const currentEnd = new Date(target.endDateTime);
  const activation = target.assignmentType === 'activated';
  if (activation && !self)
    return refused('invalid', 'An activation is extended by its principal (selfExtend), not by an admin');
  if (self && !activation && now.getTime() < currentEnd.getTime() - EXTEND_WINDOW_MS) {
    return refused(
      'invalid',
      `An assignment can be extended only within 14 days of its end: it ends ${target.endDateTime}, so ask from ${new Date(currentEnd.getTime() - EXTEND_WINDOW_MS).toISOString()} (or ask an admin to extend it)`,
    );
  }
  const window = newWindow(body.scheduleInfo, settings, activation ? 'activation' : kind, now);
  if ('kind' in window) return fromRule(window);
  if (window.end !== null && window.end.getTime() <= currentEnd.getTime())
    return refused('invalid', `The new end must be after the current end (${target.endDateTime})`);

  let failure: RuleFailure | undefined;
  let approval: ApprovalPolicy | null = null;
  if (activation) {
    const eligibility = await deps.store.eligibilityInForce(
      target.groupId,
      target.principalId,
      target.accessId,
      now,
    );
    if (!eligibility)
      return refused('forbidden', 'You are no longer eligible for this role: activate it anew instead');
    failure = checkActivation({
      window,
      justification: body.justification ?? null,
      ticketNumber: body.ticketInfo?.ticketNumber ?? null,
      caller,
      settings,
      eligibilityEnd: eligibility.endDateTime ? new Date(eligibility.endDateTime) : null,
    });
    if (settings.activation.requireApproval && approvalRequiredForExtension(settings))
      approval = { kind: 'activation' };
  } else if (self) {
    failure =
      checkAssignmentLength({ kind, window, settings }) ??
      (body.justification?.trim()
        ? undefined
        : { kind: 'invalid', detail: 'Say why you need it longer (justification)' });
    approval = { kind: 'admins', expiresDateTime: target.endDateTime };
  } else {
    failure = checkAdminAssignment({
      kind,
      window,
      justification: body.justification ?? null,
      caller,
      settings,
    });
  }
  if (failure) return fromRule(failure);
  return accept(deps, kind, body, caller, now, {
    window,
    targetScheduleId: target.id,
    approval,
    status:
      approval?.kind === 'admins'
        ? 'PendingAdminDecision'
        : approval
          ? 'PendingApproval'
          : 'PendingProvisioning',
  });
}

export async function renewAccess(
  deps: ExtendRenewDeps,
  kind: RequestKind,
  body: RequestBody,
  caller: CallerPrincipal,
  now: Date,
  settings: RoleSettings,
): Promise<SubmitResult> {
  const self = body.action === 'selfRenew';
  const found = await targetOf(deps, kind, body, ['Expired']);
  if ('refusal' in found) return found.refusal;
  const target = found.schedule;
  if (target.assignmentType === 'activated')
    return refused('invalid', 'An activation is not renewed: activate again while you are eligible');
  const ended = new Date(target.endDateTime ?? target.modifiedDateTime);
  if (now.getTime() > ended.getTime() + RENEW_WINDOW_MS) {
    return refused(
      'invalid',
      `Schedule ${target.id} expired on ${ended.toISOString()}, more than 30 days ago: it can't be renewed; ask for a new assignment`,
    );
  }
  const current = await deps.store.listSchedules({
    groupId: target.groupId,
    principalId: target.principalId,
    accessId: target.accessId,
    kind,
    pageSize: 1,
  });
  if (current.items[0])
    return refused(
      'conflict',
      `There is a current ${kind} (schedule ${current.items[0].id}); extend it instead`,
    );
  const window = newWindow(body.scheduleInfo, settings, kind, now);
  if ('kind' in window) return fromRule(window);
  const failure = self
    ? (checkAssignmentLength({ kind, window, settings }) ??
      (body.justification?.trim()
        ? undefined
        : { kind: 'invalid' as const, detail: 'Say why you need it again (justification)' }))
    : checkAdminAssignment({ kind, window, justification: body.justification ?? null, caller, settings });
  if (failure) return fromRule(failure);
  const approval: ApprovalPolicy | null = self
    ? { kind: 'admins', expiresDateTime: new Date(now.getTime() + RENEW_APPROVAL_MS).toISOString() }
    : null;
  return accept(deps, kind, body, caller, now, {
    window,
    targetScheduleId: null,
    approval,
    status: approval
      ? 'PendingAdminDecision'
      : kind === 'assignment'
        ? 'PendingProvisioning'
        : 'PendingScheduleCreation',
  });
}

/** The schedule a request names (`targetScheduleId`), or the principal's one of that kind and role in `statuses`. */
async function targetOf(
  deps: ExtendRenewDeps,
  kind: RequestKind,
  body: RequestBody,
  statuses: Schedule['status'][],
): Promise<{ schedule: Stored<Schedule> } | { refusal: Refusal }> {
  const what = statuses.includes('Expired') ? 'expired' : 'current';
  const missing = {
    refusal: refused(
      'notFound',
      `No ${what} ${kind} of ${body.accessId} for this principal and ${targetNoun(body)}`,
    ),
  };
  if (body.targetScheduleId) {
    const s = await deps.store.findSchedule(body.targetScheduleId, body.groupId);
    if (
      !s ||
      s.kind !== kind ||
      s.principalId !== body.principalId ||
      s.accessId !== body.accessId ||
      !statuses.includes(s.status)
    )
      return missing;
    return { schedule: s };
  }
  const page = await deps.store.listSchedules({
    groupId: body.groupId,
    principalId: body.principalId,
    accessId: body.accessId,
    kind,
    pageSize: 10,
    ...(what === 'expired' ? { status: 'Expired' as const } : {}),
  });
  const candidates = page.items.filter((s) => statuses.includes(s.status));
  if (candidates.length === 0) return missing;
  if (what === 'current' && candidates.length > 1)
    return {
      refusal: refused(
        'invalid',
        `There are ${candidates.length} current ${kind} schedules of ${body.accessId} for this principal (e.g. an assignment and an activation): name one in targetScheduleId`,
      ),
    };
  // The most recently ended one, for a renewal.
  const schedule = candidates.sort((a, b) => (b.endDateTime ?? '').localeCompare(a.endDateTime ?? ''))[0];
  return schedule ? { schedule } : missing;
}

/** The requested window, starting now; without an expiration, as long as the role allows. */
function newWindow(
  info: ScheduleInfo | undefined,
  settings: RoleSettings,
  what: 'activation' | RequestKind,
  now: Date,
): Window | RuleFailure {
  const maximum = maximumDurationOf(settings, what);
  const expiration = info?.expiration ?? { type: 'afterDuration' as const, duration: maximum };
  if (expiration.type === 'notSpecified')
    return resolveWindow({ expiration: { type: 'afterDuration', duration: maximum } }, now);
  if (parseIsoDuration(maximum) === undefined && expiration.type === 'afterDuration' && !expiration.duration)
    return { kind: 'invalid', detail: 'Give scheduleInfo.expiration' };
  return resolveWindow({ startDateTime: null, expiration }, now);
}

async function accept(
  deps: ExtendRenewDeps,
  kind: RequestKind,
  body: RequestBody,
  caller: CallerPrincipal,
  now: Date,
  o: {
    window: Window;
    targetScheduleId: string | null;
    approval: ApprovalPolicy | null;
    status: 'PendingAdminDecision' | 'PendingApproval' | 'PendingProvisioning' | 'PendingScheduleCreation';
  },
): Promise<SubmitResult> {
  const action = body.action as 'selfExtend' | 'adminExtend' | 'selfRenew' | 'adminRenew';
  const request = newRequest(body, kind, caller, now, {
    scheduleInfo: {
      startDateTime: o.window.start.toISOString(),
      expiration: o.window.end
        ? { type: 'afterDateTime', endDateTime: o.window.end.toISOString() }
        : { type: 'noExpiration' },
    },
    startDateTime: o.window.start.toISOString(),
    endDateTime: o.window.end?.toISOString() ?? null,
    targetScheduleId: o.targetScheduleId,
    approvalId: o.approval ? 'self' : null,
    status: o.status,
    completedDateTime: null,
    workflow: { action, approval: o.approval, activatedUsing: null },
  });
  if (request.isValidationOnly) return { outcome: 'validated', request };
  return claimSlot(deps.store, request, now);
}

/** The Approval rule's `isApprovalRequiredForExtension` (off unless the role's settings say so). */
function approvalRequiredForExtension(settings: RoleSettings): boolean {
  const activation: object = settings.activation;
  return 'isApprovalRequiredForExtension' in activation && activation.isApprovalRequiredForExtension === true;
}
