/**
 * The drift check's activities: page through the managed groups, and check one group — read its members and
 * owners from Graph and its assignments from the store, compute the differences (domain/drift.ts), keep them in the
 * group's drift report, audit and mail the new ones (one mail per group per run, drift-mail.ts), and, when the
 * group's setting says so, remove principals added outside pimflow (audited; never the last owner; drift-removal.ts).
 *
 * Idempotent per run (`runId`): the report is written before anything is audited, removed or mailed, so a
 * retried check knows which differences are this run's (`firstSeenRunId`) and which removals it began
 * (`removal.status = pending`); audit ids are deterministic. The mail is at least once: a crash after sending it
 * and before the final write sends it again.
 */
import type { AuditWriter } from '../audit/domain/audit-record';
import type { Clock } from '../clock';
import type { Directory } from '../directory/directory';
import type { Stored } from '../storage/stored';
import type { ManagedGroup } from '../managed-groups/domain/managed-group';
import type { ManagedGroupRepository } from '../managed-groups/adapters/managed-group-repository';
import type { PimStore } from '../requests/adapters/pim-store';
import { computeDrift, prunedBaseline } from './domain/drift';
import { reportOf, type DriftItem, type DriftReport } from './domain/drift-report';
import { grantsInFlight } from './domain/grants-in-flight';
import { detectedRecord, keptRecord, removalFailedRecord, removedRecord } from './domain/audit-records';
import { allAssignments, grantingRequests } from './adapters/group-access-records';
import type { DriftStore } from './adapters/drift-store';
import { mailAdmins, noticeItems, type DriftMailDeps } from './drift-mail';
import { markRemovals, removeFromGroup } from './drift-removal';
import type { CheckGroupInput, DriftGroupResult, ListGroupsInput, ListGroupsOutput } from './contract';

export interface DriftDeps extends DriftMailDeps {
  managedGroups: ManagedGroupRepository;
  store: PimStore;
  directory: Directory;
  driftReports: DriftStore;
  audit: AuditWriter;
  clock: Clock;
}

export interface DriftActivities {
  listGroups(a: ListGroupsInput): Promise<ListGroupsOutput>;
  checkGroup(a: CheckGroupInput): Promise<DriftGroupResult>;
}

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
  const readAt = d.clock.now();
  const [members, owners, assignments, granting] = await Promise.all([
    d.directory.listGroupMembers(groupId),
    d.directory.listGroupOwners(groupId),
    allAssignments(d.store, groupId),
    grantingRequests(d.store, groupId),
  ]);
  const now = d.clock.now();
  const nowIso = now.toISOString();
  const differences = computeDrift({
    baseline: {
      member: (group.baselineMembers ?? []).map((p) => p.id),
      owner: (group.baselineOwners ?? []).map((p) => p.id),
    },
    assignments,
    grantsInFlight: grantsInFlight(granting, readAt),
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

  const toRemove = removing
    ? markRemovals(items, differences, owners.length, runId, nowIso)
    : new Set<string>();

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
  const outcome = await removeFromGroup(
    d.directory,
    groupId,
    items.filter((i) => toRemove.has(i.key)),
    runId,
    nowIso,
  );
  const removed: DriftItem[] = [...removedEarlier, ...outcome.removed];
  const failed = outcome.failed;
  for (const item of removed) await d.audit.record(removedRecord(group, item, runId, now));
  for (const item of failed) await d.audit.record(removalFailedRecord(group, item, runId, now));

  // 4. One mail for the group: what is new, and what this run removed (or could not).
  const notice = noticeItems(items, removed, failed, before, runId);
  let mailed = false;
  if (notice.length > 0) mailed = await mailAdmins(d, group, notice, nowIso, runId);

  // 5. The baseline only shrinks: principals found in place and gone since are no longer exempt (see drift.ts).
  await pruneBaseline(d, group, members, owners);

  const removedKeys = new Set(removed.map((i) => i.key));
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
