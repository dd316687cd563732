/**
 * Removing principals added outside pimflow, when the group's setting says so: which ones (never the last owner;
 * domain/drift.ts plans it), marked on the report's items before Graph is asked, then Graph's answer per item.
 */
import type { BulkItemResult, Directory } from '../directory/directory';
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
