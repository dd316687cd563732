/**
 * The activities of a schedule's lifecycle (the part of the request orchestration that runs while access is in
 * force): expiry notices 14 days and 1 day before the end, the expiry itself, and applying an approved extension.
 * The schedule document is the truth about the end: each activity re-reads it, so a notice for an end that has
 * moved is not sent, and an expiry that races an extension loses to it (both are ETag-guarded writes).
 */
import type { AuditWriter } from '../audit/domain/audit-record';
import type { Clock } from '../clock';
import type { Directory } from '../directory/directory';
import type { DurableEvent } from '../durable/activity';
import { mailIdFor } from '../mail/mail-id';
import type { Mailer } from '../mail/mailer';
import { expiryNotice, type ExpiryNoticeParams } from '../mail/templates/expiry-notice';
import { describeAccess, type AccessDescription, type AccessNames } from '../access/describe-access';
import { resourceTypeOf } from '../access/resource';
import { noticeEventOf, recipientsOf } from '../policies/domain/notification-recipients';
import type { RoleSettingsSource } from '../policies/domain/role-settings';
import type { PimStore } from '../requests/adapters/pim-store';
import { RequestEvent, type RequestRef } from '../requests/contract';
import { refusalRecord } from '../requests/domain/refusal-audit';
import { whyNotGrantable } from '../requests/domain/request-integrity';
import { requestInstanceId } from '../requests/domain/schedule-request';
import type { Approval } from '../approvals/domain/approval';
import type {
  ExpireInput,
  ExpireResult,
  ExpiryNoticeInput,
  ExtensionResult,
  ScheduleEnd,
  ScheduleRef,
} from './contract';
import { expiryNoticeRecord, extensionRecord } from './domain/audit-records';
import type { Schedule, ScheduleStatus } from './domain/schedule';

export interface LifecycleDeps {
  store: PimStore;
  directory: Directory;
  /** ARM, to name Azure roles and scopes in notices (ids without it). */
  azureRbac?: AccessNames['azureRbac'];
  mailer: Mailer;
  roleSettings: RoleSettingsSource;
  audit: AuditWriter;
  clock: Clock;
  /** ADMIN_NOTIFICATION_RECIPIENTS. */
  adminRecipients: readonly string[];
  /** Approvals by id: an extension that needs one is applied only when its approval is recorded. */
  approvals: { find(id: string, groupId: string): Promise<Approval | undefined> };
}

/** Sends a typed event to an orchestration instance (the durable client's raiseEvent, in functions/). */
export type RaiseEvent = <P>(instanceId: string, event: DurableEvent<P>, payload: P) => Promise<void>;

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
    async sendExpiryNotice(a: ExpiryNoticeInput): Promise<ScheduleEnd> {
      const schedule = await d.store.schedules.get(a.scheduleId, a.groupId);
      const end = { endDateTime: schedule.endDateTime, status: schedule.status };
      if (!LIVE.includes(schedule.status) || schedule.endDateTime !== a.endDateTime) return end;
      const [principal, access, settings] = await Promise.all([
        d.directory.getUser(schedule.principalId),
        describeAccess(d, schedule),
        d.roleSettings.get(schedule.groupId, schedule.accessId, schedule.resourceType).catch(() => undefined),
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
        ...expiryWording(schedule, access),
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
      await d.audit.record(expiryNoticeRecord(schedule, a.notice, a.endDateTime, sentTo, d.clock.now()));
      return end;
    },

    /**
     * Marks the schedule Expired if its end is still `endDateTime` (or earlier) and it is live; if an extension
     * moved the end meanwhile, leaves it and returns the new end. Idempotent: an Expired schedule stays expired.
     */
    async expireSchedule(a: ExpireInput): Promise<ExpireResult> {
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
    async applyExtension(a: RequestRef, raise: RaiseEvent): Promise<ExtensionResult> {
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
      try {
        await raise(requestInstanceId(schedule.createdUsing), RequestEvent.extend, {
          endDateTime: newEnd,
          requestId: request.id,
        });
      } catch (err) {
        const now = await d.store.schedules.get(targetId, a.groupId);
        if (!LIVE.includes(now.status))
          return { applied: false, reason: `The assignment ended (${now.status}) before the extension` };
        throw err;
      }
      await d.audit.record(extensionRecord(request, schedule, newEnd, d.clock.now()));
      return { applied: true };
    },
  };
}

export type LifecycleActivities = ReturnType<typeof createLifecycleActivities>;

function endsLater(s: Schedule, endDateTime: string): boolean {
  return s.endDateTime === null || new Date(s.endDateTime).getTime() > new Date(endDateTime).getTime();
}

/** The expiry notice's words for a group role or a directory role. */
function expiryWording(
  schedule: Pick<Schedule, 'resourceType' | 'accessId'>,
  access: AccessDescription,
): Pick<ExpiryNoticeParams, 'assignment' | 'accessFacts' | 'extenders'> {
  return resourceTypeOf(schedule) === 'group'
    ? {
        assignment: `${schedule.accessId} assignment to ${access.name}`,
        accessFacts: access.facts,
        extenders: 'an admin or an owner of the group',
      }
    : {
        assignment: `assignment to ${access.phrase}`,
        accessFacts: access.facts,
        extenders: 'a Global Administrator or Privileged Role Administrator',
      };
}
