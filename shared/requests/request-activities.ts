/**
 * The request orchestration's activities, built from their dependencies (so tests can give them real adapters
 * against the stand-ins). Each is idempotent: a retried or re-run activity (after a crash) leaves one outcome —
 * status changes are guarded by ETags and re-read on conflict, audit records have deterministic ids.
 */
import type { AccessProvider, AccessTarget } from '../access/access-provider';
import { SYSTEM_ACTOR, userActor } from '../audit/domain/audit-entry';
import type { AuditWriter } from '../audit/adapters/audit-log';
import type { Clock } from '../clock';
import type { Directory } from '../directory/directory';
import type { Mailer } from '../mail/mailer';
import { requestNotice, type RequestNoticeParams } from '../mail/templates/request-notice';
import { mailIdFor } from '../mail/mail-id';
import {
  noticeEventOf,
  recipientsOf,
  type RecipientContext,
} from '../policies/domain/notification-recipients';
import type { RoleSettings, RoleSettingsSource } from '../policies/domain/role-settings';
import type { Schedule } from '../lifecycle/domain/schedule';
import type { Approval } from '../approvals/domain/approval';
import { decisionAuditRecord } from '../approvals/domain/audit-records';
import type { PimStore } from './adapters/pim-store';
import { workflowOf } from './request-factory';
import { refusalRecord } from './domain/refusal-audit';
import { recordedDecision, whyNotGrantable } from './domain/request-integrity';
import {
  OPEN_STATUSES,
  type ApprovalDecision,
  type EndAccessEvent,
  type RequestStatus,
  type ScheduleRequest,
} from './domain/schedule-request';
import type { RequestWorkflowInput } from './submit-request';

export interface RequestActivityDeps {
  store: PimStore;
  access: AccessProvider;
  audit: AuditWriter;
  directory: Directory;
  mailer: Mailer;
  roleSettings: RoleSettingsSource;
  clock: Clock;
  /** ADMIN_NOTIFICATION_RECIPIENTS: the admins' default recipients. */
  adminRecipients: readonly string[];
  /** Approvals by id (the approval of a request has the request's id). */
  approvals: { find(id: string, groupId: string): Promise<Approval | undefined> };
  /** Access review decision items, to confirm an end raised by a review's apply. */
  reviewDecisions: {
    find(
      decisionId: string,
      instanceId: string,
    ): Promise<
      | {
          decision: string;
          principal: { id: string };
          resource: { groupId: string; accessId: string };
          applyAttemptedDateTime?: string | null;
          scheduleId: string;
        }
      | undefined
    >;
  };
  log?: (message: string) => void;
}

/** What the orchestration found when it looked for its request. */
export type LoadRequestResult =
  | { outcome: 'run'; workflow: RequestWorkflowInput; status: RequestStatus; cancelRequested: boolean }
  | { outcome: 'missing' }
  | { outcome: 'closed'; status: RequestStatus }
  | { outcome: 'refused'; reason: string };

export type GrantResult = { granted: true } | { granted: false; reason: string };

/** An event the orchestration received, confirmed (or not) against Cosmos DB. */
export type ConfirmedEnd =
  | { confirmed: true; by: { id: string; displayName: string | null }; alreadyRevoked: boolean }
  | { confirmed: false };
export type ConfirmedCancel =
  { confirmed: true; by: { id: string; displayName: string | null } } | { confirmed: false };

/**
 * The POST stores the request right after it starts the orchestration, usually within milliseconds: look again soon,
 * then less often (about 3 s in all) before the orchestration's durable timers take over.
 */
const LOAD_POLL_DELAYS_MS = [10, 20, 40, 80, 150, 300, 400, 500, 500, 500, 500];

const EXPIRED_REASON = 'Its time ran out';

interface Ref {
  requestId: string;
  groupId: string;
}

export function createRequestActivities(d: RequestActivityDeps) {
  const updateRequest = async (ref: Ref, change: (r: ScheduleRequest) => ScheduleRequest | undefined) =>
    (await d.store.requests.update(ref.requestId, ref.groupId, change)).document;

  const notify = async (
    request: ScheduleRequest,
    event: RequestNoticeParams['event'],
    reason: string | null,
    endDateTime: string | null = request.endDateTime,
  ) => {
    try {
      const [principal, group, settings] = await Promise.all([
        d.directory.getUser(request.principalId),
        d.directory.getGroup(request.groupId),
        d.roleSettings.get(request.groupId, request.accessId).catch(() => undefined),
      ]);
      const to = noticeRecipients(request, settings, {
        principalAddress: principal?.mail ?? principal?.userPrincipalName ?? null,
        adminDefaults: d.adminRecipients,
        critical: event === 'Ended' && reason === EXPIRED_REASON,
      });
      if (to.length === 0) return;
      await d.mailer.send({
        to,
        idempotencyKey: mailIdFor('request-notice', request.id, event),
        ...requestNotice({
          event,
          principalName: principal?.displayName ?? request.principalId,
          groupName: group?.displayName ?? request.groupId,
          accessId: request.accessId,
          kind: request.kind,
          startDateTime: request.startDateTime,
          endDateTime,
          reason,
          requestId: request.id,
        }),
      });
    } catch (err) {
      // A notice that can't be sent must not undo or block access changes; it is logged.
      d.log?.(
        `Notice for request ${request.id} not sent: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  };

  const scheduleFrom = (input: RequestWorkflowInput, status: Schedule['status'], now: string): Schedule => ({
    id: input.requestId,
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
  });

  /** Audits an orchestration input or event that stored state doesn't back (see refusal-audit.ts). */
  const auditRefusal = (
    ref: Ref,
    what: string,
    reason: string,
    principalId: string | null,
    details: Record<string, string | null> = {},
  ) => d.audit.record(refusalRecord(ref, what, reason, { principalId, details, at: d.clock.now() }));

  const approvalOf = (r: ScheduleRequest) =>
    r.approvalId ? d.approvals.find(r.approvalId, r.groupId) : undefined;

  return {
    /**
     * The orchestration's first step: its request as stored (the POST starts the orchestration, then stores the
     * request, so it waits a moment for it). Only `request-{id}` may run a request, and only while it is open.
     */
    async loadRequest(a: Ref & { instanceId: string; poll?: boolean }): Promise<LoadRequestResult> {
      let request = await d.store.requests.find(a.requestId, a.groupId);
      for (const delay of a.poll === false ? [] : LOAD_POLL_DELAYS_MS) {
        if (request) break;
        await new Promise((resolve) => setTimeout(resolve, delay));
        request = await d.store.requests.find(a.requestId, a.groupId);
      }
      if (!request) return { outcome: 'missing' };
      // An end request names its target's instance, and is never open: it can't be run from here either.
      if (request.orchestrationInstanceId !== a.instanceId) {
        const reason = `Instance ${a.instanceId} does not carry out request ${request.id}`;
        await auditRefusal(
          a,
          'orchestration started for a request it does not carry out',
          reason,
          request.principalId,
          {
            instanceId: a.instanceId,
          },
        );
        return { outcome: 'refused', reason };
      }
      if (!OPEN_STATUSES.includes(request.status)) return { outcome: 'closed', status: request.status };
      return {
        outcome: 'run',
        workflow: workflowOf(request),
        status: request.status,
        cancelRequested: Boolean(request.cancelRequested),
      };
    },

    /** The request was never stored (its POST died after starting the orchestration): free its slot. */
    async abandonRequest(a: Ref): Promise<void> {
      if (await d.store.requests.find(a.requestId, a.groupId)) return;
      await d.store.releaseSlotOf(a.groupId, a.requestId);
      d.log?.(`Request ${a.requestId} was never stored; its orchestration ends and frees its slot`);
    },

    /** The decision an ApprovalDecided event claims, if the approval document records it; else refused. */
    async readDecision(a: Ref & { approvalId: string; stepId: string }): Promise<ApprovalDecision | null> {
      const request = await d.store.requests.find(a.requestId, a.groupId);
      const approval =
        a.approvalId === request?.approvalId ? await d.approvals.find(a.approvalId, a.groupId) : undefined;
      const decision = recordedDecision(approval, a.stepId, request);
      const step = approval?.steps.find((st) => st.id === a.stepId);
      if (decision && approval && step) {
        // The decision's own audit record, in case the process died between the decision's write and its record
        // (same id: a no-op when it was written).
        await d.audit.record(
          decisionAuditRecord(approval, step, {
            at: new Date(decision.reviewedDateTime),
            approver: decision.reviewedBy,
            via: 'recorded before an interruption',
          }),
        );
        return decision;
      }
      await auditRefusal(
        a,
        'approval decision not recorded by an approver',
        'The approval records no such decision',
        request?.principalId ?? null,
        {
          approvalId: a.approvalId,
          stepId: a.stepId,
        },
      );
      return null;
    },

    /** A cancel the request records (POST .../cancel writes it before telling the orchestration). */
    async confirmCancel(a: Ref): Promise<ConfirmedCancel> {
      const request = await d.store.requests.find(a.requestId, a.groupId);
      if (request?.cancelRequested) return { confirmed: true, by: request.cancelRequested.by };
      await auditRefusal(
        a,
        'cancel not requested',
        'The request records no cancel',
        request?.principalId ?? null,
        {},
      );
      return { confirmed: false };
    },

    /**
     * An early end of the schedule this orchestration created (its id is the request's), if Cosmos DB backs it: a
     * stored end request naming the schedule (marked delivered), or an access review's Deny of this access.
     */
    async confirmEnd(a: Ref & { event: EndAccessEvent }): Promise<ConfirmedEnd> {
      const schedule = await d.store.schedules.find(a.requestId, a.groupId);
      const e = a.event;
      if (schedule && e.endRequestId) {
        const end = await d.store.requests.find(e.endRequestId, a.groupId);
        if (
          end &&
          (end.action === 'selfDeactivate' || end.action === 'adminRemove') &&
          end.targetScheduleId === schedule.id
        ) {
          if (!end.deliveredDateTime) await d.store.markEndDelivered(end.id, end.groupId, d.clock.now());
          return {
            confirmed: true,
            by: { id: end.createdBy.user.id, displayName: end.createdBy.user.displayName ?? null },
            alreadyRevoked: false,
          };
        }
      }
      if (schedule && e.reviewDecision) {
        const item = await d.reviewDecisions.find(e.reviewDecision.decisionId, e.reviewDecision.instanceId);
        if (
          item &&
          item.decision === 'Deny' &&
          item.resource.groupId.toLowerCase() === schedule.groupId.toLowerCase() &&
          item.resource.accessId === schedule.accessId &&
          item.principal.id.toLowerCase() === schedule.principalId.toLowerCase()
        ) {
          return {
            confirmed: true,
            by: e.by,
            alreadyRevoked: e.alreadyRevoked === true && Boolean(item.applyAttemptedDateTime),
          };
        }
      }
      await auditRefusal(
        a,
        'end of access not backed by a stored request or review decision',
        'Nothing stored asks for this end',
        schedule?.principalId ?? null,
        {
          endRequestId: e.endRequestId ?? null,
          decisionId: e.reviewDecision?.decisionId ?? null,
        },
      );
      return { confirmed: false };
    },

    async setRequestStatus(
      a: Ref & { status: RequestStatus; reason: string | null; completed: boolean },
    ): Promise<void> {
      const now = d.clock.now().toISOString();
      const request = await updateRequest(a, (r) =>
        r.status === a.status
          ? undefined
          : { ...r, status: a.status, completedDateTime: a.completed ? now : r.completedDateTime },
      );
      await d.audit.record({
        id: `${a.requestId}:status:${a.status}`,
        activityDateTime: d.clock.now(),
        activityDisplayName: `Request ${a.status === 'Granted' ? 'approved' : a.status.toLowerCase()} (PIM ${request.action})`,
        category: 'Request',
        operationType:
          a.status === 'Denied'
            ? 'Deny'
            : a.status === 'Canceled'
              ? 'Cancel'
              : a.status === 'TimedOut'
                ? 'Expire'
                : 'Update',
        result: a.status === 'Failed' ? 'failure' : a.status === 'TimedOut' ? 'timeout' : 'success',
        resultReason: a.reason ?? '',
        initiatedBy: SYSTEM_ACTOR,
        targetResources: [
          { id: a.requestId, type: 'Request' },
          { id: a.groupId, type: 'Group' },
        ],
        groupId: a.groupId,
        principalId: request.principalId,
        correlationId: a.requestId,
        details: { accessId: request.accessId, status: a.status },
      });
      if (a.completed) {
        await d.store.releaseOpenRequest(a.groupId, request.principalId, request.accessId, a.requestId);
        if (['Denied', 'TimedOut', 'Canceled', 'Failed'].includes(a.status)) {
          await notify(request, a.status as RequestNoticeParams['event'], a.reason);
        } else if (a.status === 'Provisioned' && request.action.endsWith('Extend')) {
          await notify(request, 'Extended', request.justification);
        }
      }
    },

    /** Grants only what the stored request (and its approval) allows; a refusal is audited and not retried. */
    async grantAccess(a: Ref & { target: AccessTarget }): Promise<GrantResult> {
      const request = await d.store.requests.find(a.requestId, a.groupId);
      const why = request
        ? whyNotGrantable(request, await approvalOf(request), {
            now: d.clock.now(),
            target: a.target,
          })
        : 'No such request is stored';
      if (why) {
        await auditRefusal(a, `grant of ${a.target.role} to group`, why, a.target.principalId, {
          principalId: a.target.principalId,
          accessId: a.target.role,
        });
        return { granted: false, reason: why };
      }
      await d.access.grant(a.target);
      return { granted: true };
    },

    async revokeAccess(a: Ref & { target: AccessTarget }): Promise<void> {
      await d.access.revoke(a.target);
    },

    async recordStarted(a: Ref & { input: RequestWorkflowInput }): Promise<GrantResult> {
      const now = d.clock.now();
      if (a.input.kind === 'eligibility') {
        // No Graph grant comes first for an eligibility: this is where stored state must allow it.
        const stored = await d.store.requests.find(a.requestId, a.groupId);
        if (stored?.status !== 'Provisioned') {
          const why = stored
            ? whyNotGrantable(stored, await approvalOf(stored), {
                now,
              })
            : 'No such request is stored';
          if (why) {
            await auditRefusal(a, `eligible ${a.input.accessId} of group`, why, a.input.principalId, {
              principalId: a.input.principalId,
              accessId: a.input.accessId,
            });
            return { granted: false, reason: why };
          }
        }
      }
      const schedule = scheduleFrom(a.input, 'Provisioned', now.toISOString());
      const existing = await d.store.schedules.find(schedule.id, schedule.groupId);
      if (!existing) await d.store.schedules.create(schedule);
      const request = await updateRequest(a, (r) =>
        r.status === 'Provisioned'
          ? undefined
          : { ...r, status: 'Provisioned', completedDateTime: r.completedDateTime ?? now.toISOString() },
      );
      await d.store.releaseOpenRequest(a.groupId, request.principalId, request.accessId, a.requestId);
      const activation = a.input.action === 'selfActivate';
      const renewal = a.input.action === 'selfRenew' || a.input.action === 'adminRenew';
      await d.audit.record({
        id: `${a.requestId}:started`,
        activityDateTime: now,
        activityDisplayName:
          a.input.kind === 'eligibility'
            ? `Add eligible ${a.input.accessId} to group (PIM)`
            : `Add ${a.input.accessId} to group (PIM ${activation ? 'activation' : renewal ? 'renewal' : 'assignment'})`,
        category: a.input.kind === 'eligibility' ? 'Assignment' : 'Membership',
        operationType: 'Assign',
        result: 'success',
        initiatedBy: activation
          ? SYSTEM_ACTOR
          : userActor(request.createdBy.user.id, request.createdBy.user.displayName),
        ...aboutAccess(a.groupId, a.input.principalId, a.requestId),
        details: {
          accessId: a.input.accessId,
          justification: request.justification,
          ticketNumber: request.ticketInfo?.ticketNumber,
          startDateTime: a.input.startDateTime,
          endDateTime: a.input.endDateTime ?? 'permanent',
        },
      });
      await notify(
        request,
        activation ? 'Activated' : renewal ? 'Renewed' : 'Assigned',
        request.justification,
      );
      return { granted: true };
    },

    async recordEnded(
      a: Ref & {
        input: RequestWorkflowInput;
        reason: 'Expired' | 'Revoked';
        by: { id: string; displayName: string | null } | null;
      },
    ): Promise<void> {
      const now = d.clock.now();
      let ended: Schedule | undefined;
      if (await d.store.schedules.find(a.requestId, a.groupId)) {
        ended = (
          await d.store.schedules.update(a.requestId, a.groupId, (s) =>
            s.status === a.reason
              ? undefined
              : { ...s, status: a.reason, modifiedDateTime: now.toISOString() },
          )
        ).document;
      }
      const request = await d.store.requests.get(a.requestId, a.groupId);
      await d.audit.record({
        id: `${a.requestId}:ended`,
        activityDateTime: now,
        activityDisplayName:
          a.input.kind === 'eligibility'
            ? `Remove eligible ${a.input.accessId} from group (PIM ${a.reason === 'Expired' ? 'expiry' : 'removal'})`
            : `Remove ${a.input.accessId} from group (PIM ${a.reason === 'Expired' ? 'expiry' : a.input.action === 'selfActivate' ? 'deactivation' : 'removal'})`,
        category: a.input.kind === 'eligibility' ? 'Assignment' : 'Membership',
        operationType: a.reason === 'Expired' ? 'Expire' : 'Unassign',
        result: 'success',
        initiatedBy: a.by ? userActor(a.by.id, a.by.displayName) : SYSTEM_ACTOR,
        ...aboutAccess(a.groupId, a.input.principalId, a.requestId),
        details: { accessId: a.input.accessId, reason: a.reason },
      });
      await notify(
        request,
        'Ended',
        a.reason === 'Expired' ? EXPIRED_REASON : 'Ended early',
        ended?.endDateTime ?? request.endDateTime,
      );
    },

    async recordRevokeFailure(
      a: Ref & { target: AccessTarget; round: number; reason: string },
    ): Promise<void> {
      await d.audit.record({
        id: `${a.requestId}:revoke-failed:${a.round}`,
        activityDateTime: d.clock.now(),
        activityDisplayName: `Remove ${a.target.role} from group failed; retrying (round ${a.round})`,
        category: 'Membership',
        operationType: 'Unassign',
        result: 'failure',
        resultReason: a.reason,
        initiatedBy: SYSTEM_ACTOR,
        ...aboutAccess(a.groupId, a.target.principalId, a.requestId),
        details: { round: String(a.round) },
      });
    },
  };
}

export type RequestActivities = ReturnType<typeof createRequestActivities>;

/** The audit fields every record about one principal's access to a group shares. */
function aboutAccess(groupId: string, principalId: string, requestId: string) {
  return {
    targetResources: [
      { id: groupId, type: 'Group' as const },
      { id: principalId, type: 'Principal' as const },
    ],
    groupId,
    principalId,
    correlationId: requestId,
  };
}

/**
 * Who hears about a request's progress, as the role's Notification_* rules say (see notification-recipients.ts):
 * the requestor and admin recipients of the request's event. Only an expiry is critical (it ends access).
 */
export function noticeRecipients(
  request: Pick<ScheduleRequest, 'action' | 'kind'>,
  settings: RoleSettings | undefined,
  context: Omit<RecipientContext, 'critical'> & { critical?: boolean },
): string[] {
  const event = noticeEventOf({ kind: request.kind, activation: request.action === 'selfActivate' });
  const c = { ...context, critical: context.critical ?? false };
  return [
    ...new Set([
      ...recipientsOf(settings, event, 'requestor', c),
      ...recipientsOf(settings, event, 'admin', c),
    ]),
  ];
}
