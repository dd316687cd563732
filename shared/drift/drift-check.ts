/**
 * The drift check's activities: page through the resources under management (managed groups, then managed
 * directory roles), and check one — a group here: read its members and owners from Graph and its assignments from
 * the store, compute the differences (domain/drift.ts) and record them (drift-record.ts: report, audit, mail,
 * removal when the group's setting says so, never the last owner); a role in role-drift-check.ts.
 */
import type { AccessProvider } from '../access/access-provider';
import type { Clock } from '../clock';
import type { ManagedGroupRepository } from '../managed-groups/adapters/managed-group-repository';
import type { ManagedRoleRepository } from '../managed-roles/adapters/managed-role-repository';
import type { PimStore } from '../requests/adapters/pim-store';
import type { Stored } from '../storage/stored';
import type { ManagedGroup } from '../managed-groups/domain/managed-group';
import { computeDrift, prunedBaseline } from './domain/drift';
import type { DriftReport } from './domain/drift-report';
import { parseReportKey, roleReportKey, type DriftSubject } from './domain/drift-subject';
import { grantsInFlight } from './domain/grants-in-flight';
import { allAssignments, grantingRequests } from './adapters/access-records';
import { recordDrift, type DriftRecordDeps } from './drift-record';
import { markRemovals, removeFromGroup } from './drift-removal';
import { checkManagedRole } from './role-drift-check';
import type { CheckGroupInput, DriftGroupResult, ListGroupsInput, ListGroupsOutput } from './contract';

export interface DriftDeps extends DriftRecordDeps {
  managedGroups: ManagedGroupRepository;
  managedRoles: ManagedRoleRepository;
  store: PimStore;
  /** Removes directory role assignments (resource type `directoryRole`), with the last-administrator guard. */
  access: AccessProvider;
  clock: Clock;
}

export interface DriftActivities {
  listGroups(a: ListGroupsInput): Promise<ListGroupsOutput>;
  checkGroup(a: CheckGroupInput): Promise<DriftGroupResult>;
}

/** The list's continuation once it is past the groups: the roles' own continuation after it. */
const ROLES_CURSOR = 'directoryRoles:';

export function createDriftActivities(d: DriftDeps): DriftActivities {
  return {
    async listGroups(a) {
      const keys: string[] = [];
      let rolesToken: string | undefined;
      if (a.continuationToken?.startsWith(ROLES_CURSOR)) {
        rolesToken = a.continuationToken.slice(ROLES_CURSOR.length) || undefined;
      } else {
        // A managed-groups continuation (or none): runs started before roles carry such a token too.
        const groups = await d.managedGroups.listGroupIds({
          pageSize: a.pageSize,
          continuationToken: a.continuationToken ?? undefined,
        });
        if (groups.continuationToken)
          return { groupIds: groups.items, continuationToken: groups.continuationToken };
        keys.push(...groups.items);
        if (keys.length >= a.pageSize) return { groupIds: keys, continuationToken: ROLES_CURSOR };
      }
      // The groups are done: fill the page with roles.
      const roles = await d.managedRoles.listAll({
        pageSize: a.pageSize - keys.length,
        continuationToken: rolesToken,
      });
      keys.push(...roles.items.map((r) => roleReportKey(r.roleDefinitionId)));
      if (roles.continuationToken) {
        return { groupIds: keys, continuationToken: `${ROLES_CURSOR}${roles.continuationToken}` };
      }
      // Last page: also the reports of roles no longer managed, which their check then drops (notManaged).
      return { groupIds: [...keys, ...(await reportsOfUnmanagedRoles(d))], continuationToken: null };
    },

    async checkGroup(a) {
      const resource = parseReportKey(a.groupId);
      const key =
        resource.resourceType === 'group' ? resource.groupId : roleReportKey(resource.roleDefinitionId);
      const managed =
        resource.resourceType === 'group'
          ? await d.managedGroups.find(resource.groupId)
          : await d.managedRoles.find(resource.roleDefinitionId);
      if (!managed) {
        await d.driftReports.remove(key);
        return { ...emptyResult(key), status: 'notManaged' };
      }
      const previous = await d.driftReports.find(key);
      if (previous?.lastRunId === a.runId && previous.lastRunCompleted) {
        return { ...emptyResult(key), differences: previous.differenceCount };
      }
      return 'roleDefinitionId' in managed
        ? checkManagedRole(d, managed, previous, a.runId)
        : checkManagedGroup(d, managed, previous, a.runId);
    },
  };
}

/**
 * A group's report goes when the group leaves management; a role's is swept here (a few point reads), so a role
 * removed from management, by whatever path, never leaves its report behind.
 */
async function reportsOfUnmanagedRoles(d: DriftDeps): Promise<string[]> {
  const keys = await d.driftReports.roleReportKeys();
  const managed = await Promise.all(
    keys.map(async (key) => {
      const resource = parseReportKey(key);
      return (
        resource.resourceType === 'directoryRole' && (await d.managedRoles.find(resource.roleDefinitionId))
      );
    }),
  );
  return keys.filter((_, n) => !managed[n]);
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
    allAssignments(d.store, { groupId }),
    grantingRequests(d.store, { groupId }),
  ]);
  const now = d.clock.now();
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
  const subject: DriftSubject = {
    resourceType: 'group',
    reportKey: groupId,
    id: groupId,
    displayName: group.displayName,
    removesOutsideAccess: group.settings.removeMembersAddedOutsidePim ?? false,
  };
  return recordDrift(d, {
    subject,
    differences,
    previous,
    runId,
    now,
    settingsOf: group.settings.roles.map((role) => ({
      resourceId: groupId,
      roleId: role,
      resourceType: 'group' as const,
    })),
    planRemovals: (items, nowIso) => markRemovals(items, differences, owners.length, runId, nowIso),
    remove: (items, nowIso) => removeFromGroup(d.directory, groupId, items, runId, nowIso),
    pruneBaseline: () => pruneBaseline(d, group, members, owners),
  });
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

function emptyResult(key: string): DriftGroupResult {
  return {
    groupId: key,
    ...(parseReportKey(key).resourceType === 'directoryRole'
      ? { resourceType: 'directoryRole' as const }
      : {}),
    status: 'checked',
    differences: 0,
    newDifferences: 0,
    removed: 0,
    removalFailed: 0,
    mailed: false,
  };
}
