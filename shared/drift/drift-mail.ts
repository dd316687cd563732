/**
 * The drift check's one mail per group and run: what is new, and what this run removed (or could not), to
 * ADMIN_NOTIFICATION_RECIPIENTS and the roles' additional admin recipients. At least once: its idempotency key is
 * the run and the group, so a retried check doesn't mail the admins twice.
 */
import { mailIdFor } from '../mail/mail-id';
import type { Mailer } from '../mail/mailer';
import { driftNotice, type DriftNoticeItem } from '../mail/templates/drift-notice';
import type { ManagedGroup } from '../managed-groups/domain/managed-group';
import type { RoleSettingsSource } from '../policies/domain/role-settings';
import type { DriftItem } from './domain/drift-report';

export interface DriftMailDeps {
  mailer: Mailer;
  /** For the roles' additional admin recipients; absent: ADMIN_NOTIFICATION_RECIPIENTS only. */
  roleSettings?: RoleSettingsSource;
  adminRecipients: readonly string[];
  /** The app's public base URL (links in mail). */
  publicBaseUrl: string;
  log(message: string): void;
}

/**
 * What the mail lists: differences this run found (or whose removal newly failed) and that are still there, then
 * what it removed.
 */
export function noticeItems(
  items: readonly DriftItem[],
  removed: readonly DriftItem[],
  failed: readonly DriftItem[],
  before: ReadonlyMap<string, DriftItem>,
  runId: string,
): DriftNoticeItem[] {
  const removedKeys = new Set(removed.map((i) => i.key));
  return [
    ...items
      .filter(
        (i) =>
          !removedKeys.has(i.key) &&
          (i.firstSeenRunId === runId ||
            (failed.includes(i) && before.get(i.key)?.removal?.status !== 'failed')),
      )
      .map((i) => noticeItem(i, runId)),
    ...removed.map((i) => ({ ...noticeItem(i, runId), outcome: 'removed' as const })),
  ];
}

/** Sends the group's mail; false when there is no one to send it to. */
export async function mailAdmins(
  d: DriftMailDeps,
  group: ManagedGroup,
  items: DriftNoticeItem[],
  checkedDateTime: string,
  runId: string,
): Promise<boolean> {
  const to = new Set(d.adminRecipients.map((a) => a.toLowerCase()));
  if (d.roleSettings) {
    for (const role of group.settings.roles) {
      try {
        const settings = await d.roleSettings.get(group.groupId, role);
        for (const a of settings.notifications.adminRecipients) to.add(a.toLowerCase());
      } catch (err) {
        d.log(`Drift: no role settings for ${role} of ${group.groupId}: ${String(err)}`);
      }
    }
  }
  if (to.size === 0) {
    d.log(`Drift in ${group.groupId} not mailed: ADMIN_NOTIFICATION_RECIPIENTS is empty`);
    return false;
  }
  const filter = encodeURIComponent(`groupId eq '${group.groupId}'`);
  await d.mailer.send({
    to: [...to].sort(),
    // One mail per group and run: a retried check (a crash after sending) doesn't mail the admins twice.
    idempotencyKey: mailIdFor('drift', runId, group.groupId),
    ...driftNotice({
      groupName: group.displayName,
      groupId: group.groupId,
      checkedDateTime,
      items,
      removesOutsideMembers: group.settings.removeMembersAddedOutsidePim ?? false,
      reportUrl: `${d.publicBaseUrl.replace(/\/+$/, '')}/api/driftReports?$filter=${filter}`,
    }),
  });
  return true;
}

function noticeItem(i: DriftItem, runId: string): DriftNoticeItem {
  const removal = i.removal?.runId === runId ? i.removal : null;
  return {
    kind: i.kind,
    accessId: i.accessId,
    principalId: i.principalId,
    principalName: i.principalDisplayName,
    outcome:
      removal?.status === 'failed'
        ? 'removalFailed'
        : removal?.status === 'keptAsLastOwner'
          ? 'keptAsLastOwner'
          : 'reported',
    reason: removal?.reason ?? null,
  };
}
