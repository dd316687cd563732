/**
 * The activities of a schedule's lifecycle (the part of the request orchestration that runs while access is in
 * force): expiry notices 14 days and 1 day before the end, the expiry itself, and applying an approved extension.
 * The schedule document is the truth about the end: each activity re-reads it, so a notice for an end that has
 * moved is not sent, and an expiry that races an extension loses to it (both are ETag-guarded writes).
 */
import { SYSTEM_ACTOR, userActor } from '../audit/domain/audit-entry';
import type { AuditWriter } from '../audit/adapters/audit-log';
import type { Clock } from '../clock';
import type { Directory } from '../directory/directory';
import { mailIdFor } from '../mail/mail-id';
import type { Mailer } from '../mail/mailer';
import { expiryNotice, type ExpiryNoticeParams } from '../mail/templates/expiry-notice';
import { noticeEventOf, recipientsOf } from '../policies/domain/notification-recipients';
import type { RoleSettingsSource } from '../policies/domain/role-settings';
import type { PimStore } from '../requests/adapters/pim-store';
import { requestInstanceId, REQUEST_EVENTS } from '../requests/domain/schedule-request';
import type { Schedule, ScheduleStatus } from './domain/schedule';
import type { Approval } from '../approvals/domain/approval';
import { refusalRecord } from '../requests/domain/refusal-audit';
import { whyNotGrantable } from '../requests/domain/request-integrity';

export interface LifecycleDeps {
  store: PimStore;
  directory: Directory;
  mailer: Mailer;
  roleSettings: RoleSettingsSource;
  audit: AuditWriter;
  clock: Clock;
  /** ADMIN_NOTIFICATION_RECIPIENTS. */
  adminRecipients: readonly string[];
  /** Approvals by id: an extension that needs one is applied only when its approval is recorded. */
  approvals: { find(id: string, groupId: string): Promise<Approval | undefined> };
}

/** Sends an event to an orchestration instance (the durable client's raiseEvent). */
export type RaiseEvent = (instanceId: string, eventName: string, payload: unknown) => Promise<void>;

export type ExpiryNotice = ExpiryNoticeParams['notice'];

interface ScheduleRef {
  scheduleId: string;
  groupId: string;
}

/** Where a schedule's end stands now, as its document says. */
export interface ScheduleEnd {
  endDateTime: string | null;
  status: ScheduleStatus;
}

export type ExpireResult = { expired: true } | { expired: false; end: ScheduleEnd };
export type ExtensionResult = { applied: true } | { applied: false; reason: string };

/** Payload of REQUEST_EVENTS.extend: the schedule's new end. */
export interface ExtendScheduleEvent {
  endDateTime: string;
  requestId: string;
}

const LIVE: readonly ScheduleStatus[] = ['Scheduled', 'Provisioned'];

export function createLifecycleActivities(d: LifecycleDeps) {
  return {
    /** Where the schedule's end stands, as its document says (an ExtendSchedule event is only a hint to look). */
    async readScheduleEnd(a: ScheduleRef): Promise<ScheduleEnd> {
      const schedule = await d.store.schedules.get(a.scheduleId, a.groupId);
      return { endDateTime: schedule.endDateTime, status: schedule.status };
    },

    /**
     * Mails the assignee and the admins (as the role's notification rules say; expiry notices are critical) that
     * the schedule ends soon — unless its end moved or it already ended. One ACS operation id per schedule, end,
     * notice and audience: a re-run sends nothing twice. Throws when mail fails, so the orchestration retries it.
     */
    async sendExpiryNotice(
      a: ScheduleRef & { endDateTime: string; notice: ExpiryNotice },
    ): Promise<ScheduleEnd> {
      const schedule = await d.store.schedules.get(a.scheduleId, a.groupId);
      const end = { endDateTime: schedule.endDateTime, status: schedule.status };
      if (!LIVE.includes(schedule.status) || schedule.endDateTime !== a.endDateTime) return end;
      const [principal, group, settings] = await Promise.all([
        d.directory.getUser(schedule.principalId),
        d.directory.getGroup(schedule.groupId),
        d.roleSettings.get(schedule.groupId, schedule.accessId).catch(() => undefined),
      ]);
      const event = noticeEventOf({
        kind: schedule.kind,
        activation: schedule.assignmentType === 'activated',
      });
      const context = {
        principalAddress: principal?.mail ?? principal?.userPrincipalName ?? null,
        adminDefaults: d.adminRecipients,
        critical: true,
      };
      const params = {
        notice: a.notice,
        principalName: principal?.displayName ?? schedule.principalId,
        groupName: group?.displayName ?? schedule.groupId,
        accessId: schedule.accessId,
        kind: schedule.kind,
        endDateTime: a.endDateTime,
        scheduleId: schedule.id,
      };
      const audiences = [
        ['assignee', recipientsOf(settings, event, 'requestor', context)],
        ['admins', recipientsOf(settings, event, 'admin', context)],
      ] as const;
      const sentTo: string[] = [];
      for (const [audience, to] of audiences) {
        if (to.length === 0) continue;
        await d.mailer.send({
          to: [...to],
          idempotencyKey: mailIdFor('expiry-notice', schedule.id, a.endDateTime, a.notice, audience),
          ...expiryNotice({ ...params, audience }),
        });
        sentTo.push(...to);
      }
      await d.audit.record({
        id: `${schedule.id}:notice:${a.notice}:${a.endDateTime}`,
        activityDateTime: d.clock.now(),
        activityDisplayName: `Expiry notice sent: ${a.notice === 'P14D' ? '14 days' : '1 day'} before the end (PIM ${schedule.accessId})`,
        category: schedule.kind === 'eligibility' ? 'Assignment' : 'Membership',
        operationType: 'Other',
        result: 'success',
        initiatedBy: SYSTEM_ACTOR,
        ...aboutSchedule(schedule),
        details: { notice: a.notice, endDateTime: a.endDateTime, recipients: sentTo.join(',') },
      });
      return end;
    },

    /**
     * Marks the schedule Expired if its end is still `endDateTime` (or earlier) and it is live; if an extension
     * moved the end meanwhile, leaves it and returns the new end. Idempotent: an Expired schedule stays expired.
     */
    async expireSchedule(a: ScheduleRef & { endDateTime: string }): Promise<ExpireResult> {
      const now = d.clock.now().toISOString();
      const { document } = await d.store.schedules.update(a.scheduleId, a.groupId, (s) =>
        LIVE.includes(s.status) && !endsLater(s, a.endDateTime)
          ? { ...s, status: 'Expired', modifiedDateTime: now }
          : undefined,
      );
      if (document.status === 'Expired' || !LIVE.includes(document.status)) return { expired: true };
      return { expired: false, end: { endDateTime: document.endDateTime, status: document.status } };
    },

    /**
     * Applies an approved extend request: moves the target schedule's end (ETag-guarded, so it can't cross an
     * expiry), audits it, mails the principal, and tells the schedule's orchestration to move its timers.
     */
    async applyExtension(
      a: { requestId: string; groupId: string },
      raise: RaiseEvent,
    ): Promise<ExtensionResult> {
      const request = await d.store.requests.get(a.requestId, a.groupId);
      const targetId = request.targetScheduleId;
      const newEnd = request.endDateTime;
      if (!targetId || !newEnd)
        return { applied: false, reason: 'The request names no schedule or no new end' };
      if (request.status !== 'Provisioned') {
        // Only what the stored request and its recorded approval allow (the orchestration's word is not enough).
        const approval = request.approvalId
          ? await d.approvals.find(request.approvalId, a.groupId)
          : undefined;
        const why = whyNotGrantable(request, approval, {
          now: d.clock.now(),
        });
        if (why) {
          await d.audit.record(
            refusalRecord(a, 'extension', why, {
              principalId: request.principalId,
              details: { targetScheduleId: targetId },
              at: d.clock.now(),
            }),
          );
          return { applied: false, reason: why };
        }
      }
      const now = d.clock.now().toISOString();
      const { document: schedule } = await d.store.schedules.update(targetId, a.groupId, (s) =>
        !LIVE.includes(s.status) || s.endDateTime === newEnd
          ? undefined
          : {
              ...s,
              endDateTime: newEnd,
              scheduleInfo: {
                ...s.scheduleInfo,
                expiration: { type: 'afterDateTime', endDateTime: newEnd },
              },
              modifiedDateTime: now,
            },
      );
      if (schedule.endDateTime !== newEnd)
        return { applied: false, reason: `The assignment ended (${schedule.status}) before the extension` };
      const payload: ExtendScheduleEvent = { endDateTime: newEnd, requestId: request.id };
      try {
        await raise(requestInstanceId(schedule.createdUsing), REQUEST_EVENTS.extend, payload);
      } catch (err) {
        const now = await d.store.schedules.get(targetId, a.groupId);
        if (!LIVE.includes(now.status))
          return { applied: false, reason: `The assignment ended (${now.status}) before the extension` };
        throw err;
      }
      await d.audit.record({
        id: `${request.id}:extended`,
        activityDateTime: d.clock.now(),
        activityDisplayName: `Extend ${schedule.kind === 'eligibility' ? 'eligible ' : ''}${schedule.accessId} of group (PIM ${request.action})`,
        category: schedule.kind === 'eligibility' ? 'Assignment' : 'Membership',
        operationType: 'Update',
        result: 'success',
        initiatedBy: userActor(request.createdBy.user.id, request.createdBy.user.displayName),
        ...aboutSchedule(schedule, request.id),
        details: {
          accessId: schedule.accessId,
          scheduleId: schedule.id,
          endDateTime: newEnd,
          justification: request.justification,
        },
      });
      return { applied: true };
    },
  };
}

export type LifecycleActivities = ReturnType<typeof createLifecycleActivities>;

function endsLater(s: Schedule, endDateTime: string): boolean {
  return s.endDateTime === null || new Date(s.endDateTime).getTime() > new Date(endDateTime).getTime();
}

function aboutSchedule(s: Schedule, correlationId = s.createdUsing) {
  return {
    targetResources: [
      { id: s.groupId, type: 'Group' as const },
      { id: s.principalId, type: 'Principal' as const },
    ],
    groupId: s.groupId,
    principalId: s.principalId,
    correlationId,
  };
}
