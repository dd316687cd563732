/**
 * Drift: where a managed group's real membership (what Graph lists) differs from what pimflow knows — the
 * active assignments and activations it granted, plus the members and owners found in place when the group was
 * brought under management (the baseline). Pure functions: the drift check (drift-check.ts) reads, this decides.
 * Directory roles follow the same rules per scope (role-drift.ts): `slotDifferences` is the one comparison.
 *
 * Kinds of difference:
 * - `addedOutsidePim`: a member (owner) in Graph who is neither in the baseline nor holds an active pimflow
 *   assignment of that role (nor one being granted right now). Someone added them outside pimflow; a group's
 *   setting may have them removed.
 * - `missingAssignment`: pimflow holds an active assignment (or activation) of that role, but Graph doesn't list
 *   the principal: someone removed it outside pimflow. Reported only; pimflow never re-adds on its own.
 *
 * Baseline principals who are gone later are NOT a difference. The baseline is access pimflow found, never
 * granted and never promised to keep: its disappearing only reduces access (someone tidied up, or pimflow itself
 * revoked an activation of a baseline member), so reporting it would be noise that trains admins to ignore the
 * mails. Instead the baseline only shrinks: `prunedBaseline` drops them, so re-adding one later, outside pimflow,
 * is reported as `addedOutsidePim` like anyone else.
 */
import type { DirectoryPrincipal, PrincipalType } from '../../directory/directory';
import type { AccessId } from '../../policies/domain/role-settings';

export const DRIFT_KINDS = ['addedOutsidePim', 'missingAssignment'] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

export interface DriftDifference {
  /**
   * `${kind}:${slot}:${principalId}`, the slot being the group role (`member`, `owner`) or, for a directory role,
   * the scope (scopeKey): stable across runs, so a run can tell new differences from known ones.
   */
  key: string;
  kind: DriftKind;
  /** `member` or `owner` of a group, or the directory role definition's id. */
  accessId: string;
  /** Directory roles only: the scope of the assignment (`/`, `/administrativeUnits/{id}`). */
  directoryScopeId?: string;
  principalId: string;
  principalType: PrincipalType | null;
  principalDisplayName: string | null;
  /** For `missingAssignment`: the pimflow schedule Graph no longer reflects. */
  scheduleId: string | null;
}

/** An assignment schedule as far as drift cares (a subset of Schedule). */
export interface KnownAssignment {
  id: string;
  principalId: string;
  /** The role; assignments of other roles than the ones checked are ignored. */
  accessId: string;
  status: 'Scheduled' | 'Provisioned' | 'Revoked' | 'Expired' | 'Failed';
  startDateTime: string;
  endDateTime: string | null;
}

/** A principal whose assignment pimflow is granting right now (request approved, schedule not recorded yet). */
export interface GrantInFlight {
  principalId: string;
  accessId: string;
}

export interface DriftInput {
  baseline: { member: readonly string[]; owner: readonly string[] };
  assignments: readonly KnownAssignment[];
  grantsInFlight: readonly GrantInFlight[];
  actual: { member: readonly DirectoryPrincipal[]; owner: readonly DirectoryPrincipal[] };
  now: Date;
}

/**
 * One place access is held and compared: a group role, or a directory role at one scope. Everything in it is
 * already that slot's (the assignments and grants of that role there).
 */
export interface DriftSlot {
  /** The key's middle part (driftKey). */
  slotKey: string;
  accessId: string;
  directoryScopeId?: string;
  baseline: readonly string[];
  actual: readonly DirectoryPrincipal[];
  assignments: readonly KnownAssignment[];
  /** Principal ids whose grant of this slot is under way. */
  granting: readonly string[];
}

const ROLES: readonly AccessId[] = ['member', 'owner'];

export function driftKey(kind: DriftKind, slotKey: string, principalId: string): string {
  return `${kind}:${slotKey}:${principalId.toLowerCase()}`;
}

/** Every difference of a group, ordered by kind, role and principal id (so results and mails are stable). */
export function computeDrift(input: DriftInput): DriftDifference[] {
  return sortedByKey(
    ROLES.flatMap((accessId) =>
      slotDifferences(
        {
          slotKey: accessId,
          accessId,
          baseline: input.baseline[accessId],
          actual: input.actual[accessId],
          assignments: input.assignments.filter((a) => a.accessId === accessId),
          granting: input.grantsInFlight.filter((g) => g.accessId === accessId).map((g) => g.principalId),
        },
        input.now,
      ),
    ),
  );
}

/** The differences in one slot (see the module comment for what counts). */
export function slotDifferences(slot: DriftSlot, nowDate: Date): DriftDifference[] {
  const now = nowDate.getTime();
  const out: DriftDifference[] = [];
  const where = slot.directoryScopeId === undefined ? {} : { directoryScopeId: slot.directoryScopeId };
  const baseline = new Set(slot.baseline.map(lower));
  const actual = new Map(slot.actual.map((p) => [lower(p.id), p]));
  // Known: any assignment that grants (or is being granted, or revoked) this role now. A schedule past its end
  // but still Provisioned is being revoked; one Scheduled and due is being granted: neither is drift yet.
  const known = new Set([
    ...slot.assignments
      .filter(
        (a) => a.status === 'Provisioned' || (a.status === 'Scheduled' && Date.parse(a.startDateTime) <= now),
      )
      .map((a) => lower(a.principalId)),
    ...slot.granting.map(lower),
  ]);
  for (const [id, principal] of actual) {
    if (baseline.has(id) || known.has(id)) continue;
    out.push({
      key: driftKey('addedOutsidePim', slot.slotKey, id),
      kind: 'addedOutsidePim',
      accessId: slot.accessId,
      ...where,
      principalId: id,
      principalType: principal.type,
      principalDisplayName: principal.displayName,
      scheduleId: null,
    });
  }
  const missing = new Map<string, KnownAssignment>();
  for (const a of slot.assignments) {
    const inForce =
      a.status === 'Provisioned' &&
      Date.parse(a.startDateTime) <= now &&
      (a.endDateTime === null || Date.parse(a.endDateTime) > now);
    const id = lower(a.principalId);
    if (inForce && !actual.has(id) && !missing.has(id)) missing.set(id, a);
  }
  for (const [id, a] of missing) {
    out.push({
      key: driftKey('missingAssignment', slot.slotKey, id),
      kind: 'missingAssignment',
      accessId: slot.accessId,
      ...where,
      principalId: id,
      principalType: null,
      principalDisplayName: null,
      scheduleId: a.id,
    });
  }
  return out;
}

export function sortedByKey(differences: DriftDifference[]): DriftDifference[] {
  return differences.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The baseline without the principals Graph no longer lists (see the module comment). */
export function prunedBaseline<T extends { id: string }>(
  baseline: readonly T[],
  actual: readonly DirectoryPrincipal[],
): T[] {
  const present = new Set(actual.map((p) => lower(p.id)));
  return baseline.filter((b) => present.has(lower(b.id)));
}

/**
 * Which outside-added principals of a role to remove, keeping at least one owner: Graph refuses to remove a
 * group's last owner, and a group without owners is one nobody can manage. `ownersNow` is Graph's owner count.
 */
export function plannedRemovals(
  differences: readonly DriftDifference[],
  ownersNow: number,
): { remove: DriftDifference[]; keptAsLastOwner: DriftDifference[] } {
  const outside = differences.filter((d) => d.kind === 'addedOutsidePim');
  const members = outside.filter((d) => d.accessId === 'member');
  const owners = outside.filter((d) => d.accessId === 'owner');
  const removableOwners = Math.max(0, Math.min(owners.length, ownersNow - 1));
  return {
    remove: [...members, ...owners.slice(0, removableOwners)],
    keptAsLastOwner: owners.slice(removableOwners),
  };
}

export function lower(id: string): string {
  return id.toLowerCase();
}
