/**
 * Mails about a request's progress (activated, assigned, denied, ended...) to whom the role's Notification_* rules
 * name. A notice that can't be sent must not undo or block access changes: it is logged, never thrown.
 */
import { describeAccess, type AccessNames } from '../access/describe-access';
import type { Directory } from '../directory/directory';
import type { Mailer } from '../mail/mailer';
import { mailIdFor } from '../mail/mail-id';
import { removalKept } from '../mail/templates/removal-kept';
import { requestNotice, type RequestNoticeParams } from '../mail/templates/request-notice';
import type { PimStore } from './adapters/pim-store';
import {
  noticeEventOf,
  recipientsOf,
  type RecipientContext,
} from '../policies/domain/notification-recipients';
import type { RoleSettings, RoleSettingsSource } from '../policies/domain/role-settings';
import type { ScheduleRequest } from './domain/schedule-request';

/** The reason an expired schedule's "Ended" notice gives; only that notice is critical (it ends access). */
export const EXPIRED_REASON = 'Its time ran out';

export type RequestNoticeEvent = RequestNoticeParams['event'];

export interface RequestNoticeDeps {
  directory: Directory;
  /** ARM, to name Azure roles and scopes in notices (ids without it). */
  azureRbac?: AccessNames['azureRbac'];
  mailer: Mailer;
  roleSettings: RoleSettingsSource;
  /** ADMIN_NOTIFICATION_RECIPIENTS: the admins' default recipients. */
  adminRecipients: readonly string[];
  log?: (message: string) => void;
}

/** Sends one request notice (one ACS operation id per request and event: a re-run sends it once). */
export function createRequestNotifier(d: RequestNoticeDeps) {
  return async (
    request: ScheduleRequest,
    event: RequestNoticeEvent,
    reason: string | null,
    endDateTime: string | null = request.endDateTime,
  ): Promise<void> => {
    try {
      const [principal, access, settings] = await Promise.all([
        d.directory.getUser(request.principalId),
        describeAccess(d, request),
        d.roleSettings.get(request.groupId, request.accessId, request.resourceType).catch(() => undefined),
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
          access: access.phrase,
          accessFacts: access.facts,
          kind: request.kind,
          startDateTime: request.startDateTime,
          endDateTime,
          reason,
          requestId: request.id,
        }),
      });
    } catch (err) {
      d.log?.(
        `Notice for request ${request.id} not sent: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  };
}

export type RequestNotifier = ReturnType<typeof createRequestNotifier>;

/**
 * Tells the admins (ADMIN_NOTIFICATION_RECIPIENTS) that a removal was refused and the access kept (the last Global
 * Administrator). Logged, never thrown, like every notice.
 */
export function createRemovalKeptNotifier(d: RequestNoticeDeps & { store: Pick<PimStore, 'requests'> }) {
  return async (ref: { requestId: string; groupId: string }, reason: string): Promise<void> => {
    try {
      if (d.adminRecipients.length === 0) return;
      const request = await d.store.requests.get(ref.requestId, ref.groupId);
      const [principal, access] = await Promise.all([
        d.directory.getPrincipal(request.principalId),
        describeAccess(d, request),
      ]);
      await d.mailer.send({
        to: [...d.adminRecipients],
        idempotencyKey: mailIdFor('removal-kept', request.id),
        ...removalKept({
          principalName: principal?.displayName ?? request.principalId,
          access: access.phrase,
          accessFacts: access.facts,
          reason,
          requestId: request.id,
        }),
      });
    } catch (err) {
      d.log?.(
        `Kept-access notice for ${ref.requestId} not sent: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
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
