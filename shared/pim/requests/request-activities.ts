/**
 * The request orchestration's activities, built from their dependencies (so tests can give them real adapters
 * against the stand-ins). Each is idempotent: a retried or re-run activity (after a crash) leaves one outcome —
 * status changes are guarded by ETags and re-read on conflict, audit records have deterministic ids.
 */
import type { AccessProvider, AccessTarget } from '../../access/access-provider';
import { SYSTEM_ACTOR, userActor } from '../../audit/audit-entry';
import type { AuditWriter } from '../../audit/audit-log';
import type { Clock } from '../../clock';
import type { Directory } from '../../directory/directory';
import type { Mailer } from '../../mail/mailer';
import { requestNotice, type RequestNoticeParams } from '../../mail/templates/request-notice';
import { mailIdFor } from '../../mail/mail-id';
import { noticeEventOf, recipientsOf, type RecipientContext } from '../notification-recipients';
import type { RoleSettings, RoleSettingsSource } from '../role-settings';
import type { Schedule } from '../schedules/schedule';
import type { PimStore } from './pim-store';
import type { RequestStatus, ScheduleRequest } from './schedule-request';
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
  log?: (message: string) => void;
}

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

  return {
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

    async grantAccess(a: Ref & { target: AccessTarget }): Promise<void> {
      await d.access.grant(a.target);
    },

    async revokeAccess(a: Ref & { target: AccessTarget }): Promise<void> {
      await d.access.revoke(a.target);
    },

    async recordStarted(a: Ref & { input: RequestWorkflowInput }): Promise<void> {
      const now = d.clock.now();
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
