/**
 * Drift of a managed directory role, like PIM's "roles are being assigned outside of PIM" alert: the role's
 * assignments in the directory (every scope) compared, scope by scope, with the baseline taken when the role came
 * under management and pimflow's own assignment schedules of the role (`groupId` the scope). The same rules as for
 * a group's member and owner roles (drift.ts): each scope is one slot.
 */
import { lower, slotDifferences, sortedByKey, type DriftDifference, type KnownAssignment } from './drift';

/** A principal holding the role at a scope: a baseline holder, or an assignment Graph lists. */
export interface ScopedHolder {
  principalId: string;
  directoryScopeId: string;
}

export interface RoleDriftInput {
  roleDefinitionId: string;
  baseline: readonly ScopedHolder[];
  /** pimflow's assignment schedules of the role, at any scope: `groupId` is the scope. */
  assignments: readonly (KnownAssignment & { groupId: string })[];
  /** Grants of the role under way: `groupId` is the scope. */
  grantsInFlight: readonly { principalId: string; accessId: string; groupId: string }[];
  /** The role's assignments Graph lists. */
  actual: readonly ScopedHolder[];
  now: Date;
}

/**
 * The slot key of a scope, for difference keys (which end up in document ids, where `/` is not allowed):
 * `tenant` for `/`, `administrativeUnits.{id}` for an administrative unit.
 */
export function scopeKey(directoryScopeId: string): string {
  const scope = lower(directoryScopeId);
  if (scope === '/') return 'tenant';
  const unit = /^\/administrativeunits\/([^/]+)$/.exec(scope)?.[1];
  return unit ? `administrativeUnits.${unit}` : scope.replace(/^\//, '').split('/').join('.');
}

/** Every difference of the role, ordered by kind, scope and principal id. */
export function computeRoleDrift(input: RoleDriftInput): DriftDifference[] {
  const role = lower(input.roleDefinitionId);
  const assignments = input.assignments.filter((a) => lower(a.accessId) === role);
  const granting = input.grantsInFlight.filter((g) => lower(g.accessId) === role);
  // Each scope once, spelled as Graph (or else the schedule) spells it.
  const scopes = new Map<string, string>();
  for (const s of [...input.actual.map((a) => a.directoryScopeId), ...assignments.map((a) => a.groupId)]) {
    if (!scopes.has(scopeKey(s))) scopes.set(scopeKey(s), s);
  }
  const at = (key: string) => (holder: { directoryScopeId: string }) =>
    scopeKey(holder.directoryScopeId) === key;
  const out: DriftDifference[] = [];
  for (const [key, directoryScopeId] of scopes) {
    out.push(
      ...slotDifferences(
        {
          slotKey: key,
          accessId: role,
          directoryScopeId,
          baseline: input.baseline.filter(at(key)).map((b) => b.principalId),
          actual: input.actual
            .filter(at(key))
            .map((a) => ({ id: a.principalId, type: 'other' as const, displayName: null })),
          assignments: assignments.filter((a) => scopeKey(a.groupId) === key),
          granting: granting.filter((g) => scopeKey(g.groupId) === key).map((g) => g.principalId),
        },
        input.now,
      ),
    );
  }
  // Graph's role assignments don't say who the principal is: the check names them (drift-items.ts).
  return sortedByKey(out).map((d) => ({ ...d, principalType: null }));
}

/** The baseline without the holders Graph no longer lists at that scope (the baseline only shrinks: drift.ts). */
export function prunedRoleBaseline<T extends ScopedHolder>(
  baseline: readonly T[],
  actual: readonly ScopedHolder[],
): T[] {
  const present = new Set(actual.map((a) => `${scopeKey(a.directoryScopeId)} ${lower(a.principalId)}`));
  return baseline.filter((b) => present.has(`${scopeKey(b.directoryScopeId)} ${lower(b.principalId)}`));
}
