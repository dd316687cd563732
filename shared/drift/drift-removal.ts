/**
 * Removing access granted outside pimflow, when the resource's setting says so, marked on the report's items
 * before Graph is asked, then Graph's answer per item. Groups: members and owners in `$batch`es, never the last
 * owner (domain/drift.ts plans it). Directory roles: each assignment through the access port, whose guard refuses
 * to remove the directory's last Global Administrator or Privileged Role Administrator.
 */
import type { AccessProvider } from '../access/access-provider';
import type { BulkItemResult, Directory } from '../directory/directory';
import { GraphError } from '../directory/graph-error';
import { plannedRemovals, type DriftDifference } from './domain/drift';
import type { DriftItem } from './domain/drift-report';

/**
 * Marks the items this run removes (`pending`) and the owners it keeps as the last (`keptAsLastOwner`, once);
 * returns the keys of those to remove.
 */
export function markRemovals(
  items: DriftItem[],
  differences: readonly DriftDifference[],
  ownerCount: number,
  runId: string,
  nowIso: string,
): Set<string> {
  const plan = plannedRemovals(differences, ownerCount);
  const toRemove = new Set(plan.remove.map((diff) => diff.key));
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
  return toRemove;
}

/**
 * Removes the items from the group in Graph (members and owners, each in one batch). Items Graph refused are
 * marked `failed` with its reason; returns what was removed and what failed.
 */
export async function removeFromGroup(
  directory: Directory,
  groupId: string,
  items: readonly DriftItem[],
  runId: string,
  nowIso: string,
): Promise<{ removed: DriftItem[]; failed: DriftItem[] }> {
  const outcomes = await removeAll(directory, groupId, items);
  const removed: DriftItem[] = [];
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
  return { removed, failed };
}

async function removeAll(
  directory: Directory,
  groupId: string,
  items: readonly DriftItem[],
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

/** Marks every assignment made outside pimflow `pending`; returns their keys (the guard decides per removal). */
export function markRoleRemovals(items: DriftItem[], runId: string, nowIso: string): Set<string> {
  const toRemove = new Set<string>();
  for (const item of items) {
    if (item.kind !== 'addedOutsidePim') continue;
    item.removal = { status: 'pending', runId, dateTime: nowIso, reason: null };
    toRemove.add(item.key);
  }
  return toRemove;
}

/** The access port's guard: removing the directory's last Global Administrator or Privileged Role Administrator. */
const LAST_PRIVILEGED_ADMIN = 'LastPrivilegedAdminError';

/**
 * Removes role assignments through the access port (resource type `directoryRole`: the scope and the role), one at
 * a time. A removal the guard refuses is `keptAsLastAdmin`, one Graph refuses (4xx) `failed` with its reason —
 * each kept in the report and tried again by the next run, never retried within it. Throttling, Graph faults and
 * an unconfirmed removal are thrown: the activity's retries take them.
 */
export async function removeRoleAssignments(
  access: AccessProvider,
  roleDefinitionId: string,
  items: readonly DriftItem[],
  runId: string,
  nowIso: string,
): Promise<{ removed: DriftItem[]; failed: DriftItem[] }> {
  const removed: DriftItem[] = [];
  const failed: DriftItem[] = [];
  for (const item of items) {
    try {
      await access.revoke({
        resourceType: 'directoryRole',
        resourceId: item.directoryScopeId ?? '/',
        role: roleDefinitionId,
        principalId: item.principalId,
      });
      removed.push(item);
    } catch (err) {
      const refusal = refusalOf(err);
      if (!refusal) throw err;
      item.removal = { status: refusal.status, runId, dateTime: nowIso, reason: refusal.reason };
      failed.push(item);
    }
  }
  return { removed, failed };
}

function refusalOf(err: unknown): { status: 'failed' | 'keptAsLastAdmin'; reason: string } | undefined {
  if (err instanceof Error && err.name === LAST_PRIVILEGED_ADMIN) {
    return { status: 'keptAsLastAdmin', reason: err.message };
  }
  if (err instanceof GraphError && err.status >= 400 && err.status < 500 && err.status !== 429) {
    return { status: 'failed', reason: err.graphMessage };
  }
  return undefined;
}
