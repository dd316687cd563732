/**
 * The drift check's one mail per resource (group or directory role) and run: what is new, and what this run
 * removed (or could not), to ADMIN_NOTIFICATION_RECIPIENTS and the roles' additional admin recipients. At least
 * once: its idempotency key is the run and the report, so a retried check doesn't mail the admins twice.
 */
import type { ResourceType } from '../access/resource';
import { mailIdFor } from '../mail/mail-id';
import type { Mailer } from '../mail/mailer';
import { driftNotice } from '../mail/templates/drift-notice';
import { roleDriftNotice } from '../mail/templates/role-drift-notice';
import type { RoleSettingsSource } from '../policies/domain/role-settings';
import type { DriftItem } from './domain/drift-report';
import type { DriftSubject } from './domain/drift-subject';

export interface DriftMailDeps {
  mailer: Mailer;
  /** For the roles' additional admin recipients; absent: ADMIN_NOTIFICATION_RECIPIENTS only. */
  roleSettings?: RoleSettingsSource;
  adminRecipients: readonly string[];
  /** The app's public base URL (links in mail). */
  publicBaseUrl: string;
  log(message: string): void;
}

/** One line of the mail. */
export interface NoticeItem {
  kind: DriftItem['kind'];
  accessId: string;
  directoryScopeId: string;
  principalId: string;
  principalName: string | null;
  outcome: 'reported' | 'removed' | 'removalFailed' | 'keptAsLastOwner' | 'keptAsLastAdmin';
  reason: string | null;
}

/** Whose role settings name more admin recipients: a group's member and owner roles, or the directory role. */
export interface SettingsOf {
  resourceId: string;
  roleId: string;
  resourceType: ResourceType;
}

/**
 * What the mail lists: differences this run found (or whose removal newly failed, or was newly refused) and that
 * are still there, then what it removed.
 */
export function noticeItems(
  items: readonly DriftItem[],
  removed: readonly DriftItem[],
  failed: readonly DriftItem[],
  before: ReadonlyMap<string, DriftItem>,
  runId: string,
): NoticeItem[] {
  const removedKeys = new Set(removed.map((i) => i.key));
  return [
    ...items
      .filter(
        (i) =>
          !removedKeys.has(i.key) &&
          (i.firstSeenRunId === runId ||
            (failed.includes(i) && before.get(i.key)?.removal?.status !== i.removal?.status)),
      )
      .map((i) => noticeItem(i, runId)),
    ...removed.map((i) => ({ ...noticeItem(i, runId), outcome: 'removed' as const })),
  ];
}

/** Sends the resource's mail; false when there is no one to send it to. */
export async function mailAdmins(
  d: DriftMailDeps,
  subject: DriftSubject,
  settingsOf: readonly SettingsOf[],
  items: NoticeItem[],
  checkedDateTime: string,
  runId: string,
): Promise<boolean> {
  const to = new Set(d.adminRecipients.map((a) => a.toLowerCase()));
  if (d.roleSettings) {
    for (const s of settingsOf) {
      try {
        const settings = await d.roleSettings.get(s.resourceId, s.roleId, s.resourceType);
        for (const a of settings.notifications.adminRecipients) to.add(a.toLowerCase());
      } catch (err) {
        d.log(`Drift: no role settings for ${s.roleId} of ${s.resourceId}: ${String(err)}`);
      }
    }
  }
  if (to.size === 0) {
    d.log(`Drift in ${subject.reportKey} not mailed: ADMIN_NOTIFICATION_RECIPIENTS is empty`);
    return false;
  }
  const field = subject.resourceType === 'directoryRole' ? 'roleDefinitionId' : 'groupId';
  const filter = encodeURIComponent(`${field} eq '${subject.id}'`);
  const reportUrl = `${d.publicBaseUrl.replace(/\/+$/, '')}/api/driftReports?$filter=${filter}`;
  const common = { checkedDateTime, reportUrl };
  await d.mailer.send({
    to: [...to].sort(),
    // One mail per resource and run: a retried check (a crash after sending) doesn't mail the admins twice.
    idempotencyKey: mailIdFor('drift', runId, subject.reportKey),
    ...(subject.resourceType === 'directoryRole'
      ? roleDriftNotice({
          ...common,
          roleName: subject.displayName,
          roleDefinitionId: subject.id,
          removesOutsideAssignments: subject.removesOutsideAccess,
          items: items.map((i) => ({
            ...i,
            outcome: i.outcome === 'keptAsLastOwner' ? 'reported' : i.outcome,
          })),
        })
      : driftNotice({
          ...common,
          groupName: subject.displayName,
          groupId: subject.id,
          removesOutsideMembers: subject.removesOutsideAccess,
          items: items.map((i) => ({
            ...i,
            accessId: i.accessId === 'owner' ? 'owner' : 'member',
            outcome: i.outcome === 'keptAsLastAdmin' ? 'reported' : i.outcome,
          })),
        })),
  });
  return true;
}

function noticeItem(i: DriftItem, runId: string): NoticeItem {
  const removal = i.removal?.runId === runId ? i.removal : null;
  return {
    kind: i.kind,
    accessId: i.accessId,
    directoryScopeId: i.directoryScopeId ?? '/',
    principalId: i.principalId,
    principalName: i.principalDisplayName,
    outcome:
      removal?.status === 'failed'
        ? 'removalFailed'
        : removal?.status === 'keptAsLastOwner' || removal?.status === 'keptAsLastAdmin'
          ? removal.status
          : 'reported',
    reason: removal?.reason ?? null,
  };
}
