/**
 * The drift check of one managed directory role — PIM's "roles are being assigned outside of PIM": the role's
 * assignments in the directory (every scope) against the baseline and pimflow's schedules of the role
 * (domain/role-drift.ts), recorded as a group's are (drift-record.ts) in the report `directoryRole:{id}`.
 * Assignments made outside pimflow are removed when the role's `removeAssignmentsMadeOutsidePim` is on, through
 * the access port, whose guard keeps the last Global Administrator and Privileged Role Administrator.
 */
import type { ManagedRole } from '../managed-roles/domain/managed-role';
import type { Stored } from '../storage/stored';
import type { DriftReport } from './domain/drift-report';
import { roleReportKey, type DriftSubject } from './domain/drift-subject';
import { grantsInFlight } from './domain/grants-in-flight';
import { computeRoleDrift, prunedRoleBaseline, type ScopedHolder } from './domain/role-drift';
import { allAssignments, grantingRequests } from './adapters/access-records';
import { recordDrift } from './drift-record';
import { markRoleRemovals, removeRoleAssignments } from './drift-removal';
import type { DriftDeps } from './drift-check';
import type { DriftGroupResult } from './contract';

export async function checkManagedRole(
  d: DriftDeps,
  role: Stored<ManagedRole>,
  previous: Stored<DriftReport> | undefined,
  runId: string,
): Promise<DriftGroupResult> {
  const roleDefinitionId = role.roleDefinitionId.toLowerCase();
  const readAt = d.clock.now();
  const [held, assignments, granting] = await Promise.all([
    d.directory.listRoleAssignments({ roleDefinitionId }),
    allAssignments(d.store, { roleDefinitionId }),
    grantingRequests(d.store, { roleDefinitionId }),
  ]);
  const actual: ScopedHolder[] = held.map((a) => ({
    principalId: a.principalId,
    directoryScopeId: a.directoryScopeId,
  }));
  const now = d.clock.now();
  const differences = computeRoleDrift({
    roleDefinitionId,
    baseline: role.baselineAssignments,
    assignments,
    grantsInFlight: grantsInFlight(granting, readAt),
    actual,
    now,
  });
  const subject: DriftSubject = {
    resourceType: 'directoryRole',
    reportKey: roleReportKey(roleDefinitionId),
    id: roleDefinitionId,
    displayName: role.displayName,
    removesOutsideAccess: role.settings.removeAssignmentsMadeOutsidePim ?? false,
  };
  return recordDrift(d, {
    subject,
    differences,
    previous,
    runId,
    now,
    // A directory role's settings are kept for the whole directory (scope `/`).
    settingsOf: [{ resourceId: '/', roleId: roleDefinitionId, resourceType: 'directoryRole' }],
    planRemovals: (items, nowIso) => markRoleRemovals(items, runId, nowIso),
    remove: (items, nowIso) => removeRoleAssignments(d.access, roleDefinitionId, items, runId, nowIso),
    pruneBaseline: () => pruneRoleBaseline(d, role, actual),
  });
}

async function pruneRoleBaseline(
  d: DriftDeps,
  role: Stored<ManagedRole>,
  actual: ScopedHolder[],
): Promise<void> {
  const kept = prunedRoleBaseline(role.baselineAssignments, actual);
  if (kept.length === role.baselineAssignments.length) return;
  await d.managedRoles
    .update(role.roleDefinitionId, (current) => {
      const next = prunedRoleBaseline(current.baselineAssignments, actual);
      return next.length === current.baselineAssignments.length
        ? undefined
        : { ...current, baselineAssignments: next };
    })
    .catch((err: unknown) =>
      d.log(`Drift: baseline of role ${role.roleDefinitionId} not pruned: ${String(err)}`),
    );
}
