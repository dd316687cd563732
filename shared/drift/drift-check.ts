/**
 * The drift check's activities: page through the managed groups, and check one group — read its members and
 * owners from Graph and its assignments from the store, compute the differences (drift.ts), keep them in the
 * group's drift report, audit and mail the new ones (one mail per group per run), and, when the group's setting
 * says so, remove principals added outside pimflow (audited; never the last owner).
 *
 * Idempotent per run (`runId`): the report is written before anything is audited, removed or mailed, so a
 * retried check knows which differences are this run's (`firstSeenRunId`) and which removals it began
 * (`removal.status = pending`); audit ids are deterministic. The mail is at least once: a crash after sending it
 * and before the final write sends it again.
 */
import { SYSTEM_ACTOR } from '../audit/domain/audit-entry';
import type { AuditRecord, AuditWriter } from '../audit/domain/audit-record';
import type { Clock } from '../clock';
import type { BulkItemResult, Directory } from '../directory/directory';
import { mailIdFor } from '../mail/mail-id';
import type { Mailer } from '../mail/mailer';
import { driftNotice, type DriftNoticeItem } from '../mail/templates/drift-notice';
import type { Stored } from '../storage/stored';
import type { ManagedGroup } from '../managed-groups/domain/managed-group';
import type { ManagedGroupRepository } from '../managed-groups/adapters/managed-group-repository';
import type { PimStore } from '../requests/adapters/pim-store';
import type { RoleSettingsSource } from '../policies/domain/role-settings';
import type { Schedule } from '../lifecycle/domain/schedule';
import type { ScheduleRequest } from '../requests/domain/schedule-request';
import { computeDrift, plannedRemovals, prunedBaseline, type GrantInFlight } from './domain/drift';
import type { DriftItem, DriftReport, DriftStore } from './adapters/drift-store';
import type { CheckGroupInput, DriftGroupResult, ListGroupsInput, ListGroupsOutput } from './contract';

export interface DriftDeps {
  managedGroups: ManagedGroupRepository;
  store: PimStore;
  directory: Directory;
  driftReports: DriftStore;
  audit: AuditWriter;
  mailer: Mailer;
  clock: Clock;
  /** For the roles' additional admin recipients; absent: ADMIN_NOTIFICATION_RECIPIENTS only. */
  roleSettings?: RoleSettingsSource;
  adminRecipients: readonly string[];
  /** The app's public base URL (links in mail). */
  publicBaseUrl: string;
  log(message: string): void;
}

export interface DriftActivities {
  listGroups(a: ListGroupsInput): Promise<ListGroupsOutput>;
  checkGroup(a: CheckGroupInput): Promise<DriftGroupResult>;
}

/** Clock skew allowed between a request's start and the check (as the grant itself allows). */
const IN_FLIGHT_SKEW_MS = 60_000;

/** Request statuses of an approved assignment whose grant may be under way (its schedule not recorded yet). */
const GRANTING: readonly ScheduleRequest['status'][] = [
  'Granted',
  'PendingProvisioning',
  'PendingScheduleCreation',
];

export function createDriftActivities(d: DriftDeps): DriftActivities {
  return {
    async listGroups(a) {
      const page = await d.managedGroups.listGroupIds({
        pageSize: a.pageSize,
        continuationToken: a.continuationToken ?? undefined,
      });
      return { groupIds: page.items, continuationToken: page.continuationToken ?? null };
    },

    async checkGroup(a) {
      const groupId = a.groupId.toLowerCase();
      const group = await d.managedGroups.find(groupId);
      if (!group) {
        await d.driftReports.remove(groupId);
        return { ...emptyResult(groupId), status: 'notManaged' };
      }
      const previous = await d.driftReports.find(groupId);
      if (previous?.lastRunId === a.runId && previous.lastRunCompleted) {
        return { ...emptyResult(groupId), differences: previous.differenceCount };
      }
      return checkManagedGroup(d, group, previous, a.runId);
    },
  };
}

async function checkManagedGroup(
  d: DriftDeps,
  group: Stored<ManagedGroup>,
  previous: Stored<DriftReport> | undefined,
  runId: string,
): Promise<DriftGroupResult> {
  const { groupId } = group;
  const [members, owners, assignments, grantsInFlight] = await Promise.all([
    d.directory.listGroupMembers(groupId),
    d.directory.listGroupOwners(groupId),
    allAssignments(d.store, groupId),
    grantsUnderWay(d.store, groupId, d.clock.now()),
  ]);
  const now = d.clock.now();
  const nowIso = now.toISOString();
  const differences = computeDrift({
    baseline: {
      member: (group.baselineMembers ?? []).map((p) => p.id),
      owner: (group.baselineOwners ?? []).map((p) => p.id),
    },
    assignments,
    grantsInFlight,
    actual: { member: members, owner: owners },
    now,
  });

  const removing = group.settings.removeMembersAddedOutsidePim ?? false;
  const before = new Map((previous?.differences ?? []).map((i) => [i.key, i]));
  const items: DriftItem[] = differences.map((diff) => {
    const known = before.get(diff.key);
    return {
      ...diff,
      principalType: diff.principalType ?? known?.principalType ?? null,
      principalDisplayName: diff.principalDisplayName ?? known?.principalDisplayName ?? null,
      firstSeenDateTime: known?.firstSeenDateTime ?? nowIso,
      lastSeenDateTime: nowIso,
      firstSeenRunId: known?.firstSeenRunId ?? runId,
      removal: removing ? (known?.removal ?? null) : null,
    };
  });
  await nameMissingPrincipals(d.directory, items, runId);
  const current = new Set(items.map((i) => i.key));
  // Removals this run began before a crash, which Graph has since confirmed: finish them (audit, mail).
  const removedEarlier = [...before.values()].filter(
    (i) => i.removal?.status === 'pending' && i.removal.runId === runId && !current.has(i.key),
  );

  const toRemove = new Set<string>();
  if (removing) {
    const plan = plannedRemovals(differences, owners.length);
    for (const diff of plan.remove) toRemove.add(diff.key);
    const kept = new Set(plan.keptAsLastOwner.map((k) => k.key));
    for (const item of items) {
      if (toRemove.has(item.key)) {
        item.removal = { status: 'pending', runId, dateTime: nowIso, reason: null };
      } else if (kept.has(item.key) && item.removal?.status !== 'keptAsLastOwner') {
        item.removal = {
          status: 'keptAsLastOwner',
          runId,
          dateTime: nowIso,
          reason: 'A group keeps at least one owner',
        };
      }
    }
  }

  // 1. The report first: from here on a retry of this run knows what is new and what it is removing.
  let report = await d.driftReports.save(reportOf(group, items, nowIso, runId, false), previous?._etag);

  // 2. Audit what is new.
  const fresh = items.filter((i) => i.firstSeenRunId === runId);
  for (const item of fresh) await d.audit.record(detectedRecord(group, item, runId, now));
  for (const item of items) {
    if (item.removal?.status === 'keptAsLastOwner' && item.removal.runId === runId) {
      await d.audit.record(keptRecord(group, item, runId, now));
    }
  }

  // 3. Remove principals added outside pimflow, if the group says so.
  const outcomes = await removeAll(
    d.directory,
    groupId,
    items.filter((i) => toRemove.has(i.key)),
  );
  const removed: DriftItem[] = [...removedEarlier];
  const failed: DriftItem[] = [];
  for (const item of items) {
    const outcome = outcomes.get(item.key);
    if (!outcome) continue;
    if (outcome.outcome === 'failed') {
      item.removal = {
        status: 'failed',
        runId,
        dateTime: nowIso,
        reason: outcome.error?.message ?? 'Graph refused the removal',
      };
      failed.push(item);
    } else {
      removed.push(item);
    }
  }
  for (const item of removed) await d.audit.record(removedRecord(group, item, runId, now));
  for (const item of failed) await d.audit.record(removalFailedRecord(group, item, runId, now));

  // 4. One mail for the group: what is new, and what this run removed (or could not).
  const removedKeys = new Set(removed.map((i) => i.key));
  const noticeItems: DriftNoticeItem[] = [
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
  let mailed = false;
  if (noticeItems.length > 0) mailed = await mailAdmins(d, group, noticeItems, nowIso, runId);

  // 5. The baseline only shrinks: principals found in place and gone since are no longer exempt (see drift.ts).
  await pruneBaseline(d, group, members, owners);

  const remaining = items.filter((i) => !removedKeys.has(i.key));
  report = await d.driftReports.save(reportOf(group, remaining, nowIso, runId, true), report._etag);
  return {
    groupId,
    status: 'checked',
    differences: report.differenceCount,
    newDifferences: fresh.length,
    removed: removed.length,
    removalFailed: failed.length,
    mailed,
  };
}

async function allAssignments(store: PimStore, groupId: string): Promise<Schedule[]> {
  const out: Schedule[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await store.listSchedules({ groupId, kind: 'assignment', pageSize: 999, continuationToken });
    out.push(...page.items);
    continuationToken = page.continuationToken;
  } while (continuationToken);
  return out;
}

async function grantsUnderWay(store: PimStore, groupId: string, now: Date): Promise<GrantInFlight[]> {
  const out: GrantInFlight[] = [];
  let continuationToken: string | undefined;
  const statuses = GRANTING.map((_, i) => `@s${i}`).join(', ');
  const params = Object.fromEntries(GRANTING.map((s, i) => [`@s${i}`, s]));
  do {
    const page = await store.requests.queryPage(
      `SELECT * FROM c WHERE c.kind = 'assignment' AND c.status IN (${statuses})`,
      params,
      { partitionKey: groupId, pageSize: 999, continuationToken },
    );
    // Only a grant that may be under way now: its window open. A request starting later (or already over)
    // justifies no membership today, so someone added outside pimflow meanwhile is still reported.
    const t = now.getTime();
    out.push(
      ...page.items
        .filter(
          (r) =>
            Date.parse(r.startDateTime) <= t + IN_FLIGHT_SKEW_MS &&
            (r.endDateTime === null || Date.parse(r.endDateTime) > t),
        )
        .map((r) => ({ principalId: r.principalId, accessId: r.accessId })),
    );
    continuationToken = page.continuationToken;
  } while (continuationToken);
  return out;
}

/** Graph doesn't list a principal who is missing: look up the names of this run's new ones (few, if any). */
async function nameMissingPrincipals(directory: Directory, items: DriftItem[], runId: string): Promise<void> {
  const unnamed = items.filter(
    (i) => i.kind === 'missingAssignment' && i.principalDisplayName === null && i.firstSeenRunId === runId,
  );
  await Promise.all(
    unnamed.map(async (item) => {
      const principal = await directory.getPrincipal(item.principalId);
      if (principal) {
        item.principalDisplayName = principal.displayName;
        item.principalType = principal.type;
      }
    }),
  );
}

async function removeAll(
  directory: Directory,
  groupId: string,
  items: DriftItem[],
): Promise<Map<string, BulkItemResult>> {
  const out = new Map<string, BulkItemResult>();
  const members = items.filter((i) => i.accessId === 'member');
  const owners = items.filter((i) => i.accessId === 'owner');
  const [memberResults, ownerResults] = await Promise.all([
    members.length
      ? directory.removeMembers(
          groupId,
          members.map((i) => i.principalId),
        )
      : [],
    owners.length
      ? directory.removeOwners(
          groupId,
          owners.map((i) => i.principalId),
        )
      : [],
  ]);
  memberResults.forEach((r, n) => out.set((members[n] as DriftItem).key, r));
  ownerResults.forEach((r, n) => out.set((owners[n] as DriftItem).key, r));
  return out;
}

async function mailAdmins(
  d: DriftDeps,
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

async function pruneBaseline(
  d: DriftDeps,
  group: Stored<ManagedGroup>,
  members: Parameters<typeof prunedBaseline>[1],
  owners: Parameters<typeof prunedBaseline>[1],
): Promise<void> {
  const keptMembers = prunedBaseline(group.baselineMembers ?? [], members);
  const keptOwners = prunedBaseline(group.baselineOwners ?? [], owners);
  if (
    keptMembers.length === (group.baselineMembers ?? []).length &&
    keptOwners.length === (group.baselineOwners ?? []).length
  ) {
    return;
  }
  const memberIds = new Set(keptMembers.map((p) => p.id));
  const ownerIds = new Set(keptOwners.map((p) => p.id));
  await d.managedGroups
    .update(group.groupId, (current) => {
      if (!current.baselineMembers && !current.baselineOwners) return undefined;
      return {
        ...current,
        baselineMembers: current.baselineMembers?.filter((p) => memberIds.has(p.id)),
        baselineOwners: current.baselineOwners?.filter((p) => ownerIds.has(p.id)),
      };
    })
    .catch((err: unknown) => d.log(`Drift: baseline of ${group.groupId} not pruned: ${String(err)}`));
}

function reportOf(
  group: ManagedGroup,
  differences: DriftItem[],
  checkedDateTime: string,
  runId: string,
  completed: boolean,
): DriftReport {
  return {
    id: group.groupId,
    groupId: group.groupId,
    displayName: group.displayName,
    lastCheckedDateTime: checkedDateTime,
    lastRunId: runId,
    lastRunCompleted: completed,
    differenceCount: differences.length,
    differences,
  };
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

function emptyResult(groupId: string): DriftGroupResult {
  return {
    groupId,
    status: 'checked',
    differences: 0,
    newDifferences: 0,
    removed: 0,
    removalFailed: 0,
    mailed: false,
  };
}

// --- audit records (category Drift; ids from the group, the difference and when it was first seen) ---

const ROLE_NAME = { member: 'member', owner: 'owner' } as const;

function base(
  group: ManagedGroup,
  item: DriftItem,
  runId: string,
  now: Date,
): Omit<AuditRecord, 'id' | 'activityDisplayName' | 'operationType' | 'result'> {
  return {
    activityDateTime: now,
    category: 'Drift',
    initiatedBy: SYSTEM_ACTOR,
    targetResources: [
      { id: group.groupId, displayName: group.displayName, type: 'Group' },
      {
        id: item.principalId,
        displayName: item.principalDisplayName,
        type: item.principalType === 'user' ? 'User' : 'Principal',
      },
    ],
    groupId: group.groupId,
    principalId: item.principalId,
    correlationId: runId,
    details: {
      driftKind: item.kind,
      accessId: item.accessId,
      principalType: item.principalType,
      scheduleId: item.scheduleId,
      firstSeenDateTime: item.firstSeenDateTime,
      driftCheckId: runId,
    },
  };
}

function auditId(group: ManagedGroup, item: DriftItem, what: string): string {
  return `drift:${group.groupId}:${item.key}:${item.firstSeenDateTime}:${what}`;
}

function detectedRecord(group: ManagedGroup, item: DriftItem, runId: string, now: Date): AuditRecord {
  const role = ROLE_NAME[item.accessId];
  return {
    ...base(group, item, runId, now),
    id: auditId(group, item, 'detected'),
    activityDisplayName:
      item.kind === 'addedOutsidePim'
        ? `${capitalized(role)} added to group outside PIM`
        : `Assigned ${role} missing from group (removed outside PIM)`,
    operationType: 'Other',
    result: 'success',
  };
}

function removedRecord(group: ManagedGroup, item: DriftItem, runId: string, now: Date): AuditRecord {
  return {
    ...base(group, item, runId, now),
    id: auditId(group, item, 'removed'),
    activityDisplayName: `Remove ${ROLE_NAME[item.accessId]} added outside PIM from group`,
    operationType: 'Delete',
    result: 'success',
  };
}

function removalFailedRecord(group: ManagedGroup, item: DriftItem, runId: string, now: Date): AuditRecord {
  return {
    ...base(group, item, runId, now),
    id: auditId(group, item, `removeFailed:${runId}`),
    activityDisplayName: `Remove ${ROLE_NAME[item.accessId]} added outside PIM from group`,
    operationType: 'Delete',
    result: 'failure',
    resultReason: item.removal?.reason ?? 'Graph refused the removal',
  };
}

function keptRecord(group: ManagedGroup, item: DriftItem, runId: string, now: Date): AuditRecord {
  return {
    ...base(group, item, runId, now),
    id: auditId(group, item, 'keptAsLastOwner'),
    activityDisplayName: 'Remove owner added outside PIM from group',
    operationType: 'Delete',
    result: 'failure',
    resultReason: "Not removed: it is the group's last owner",
  };
}

function capitalized(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
