/**
 * What a snapshot reviews, step by step: pimflow's schedules of the role in force at the start (eligible ones,
 * active ones, or both), and for a directory role with active assignments in scope, the role's assignments in the
 * directory made outside pimflow (a principal holding the role without a pimflow assignment in force: PIM reviews
 * every active holder). Each step is paged; the cursor says which step and where in it.
 */
import type { Directory } from '../directory/directory';
import type { Schedule } from '../lifecycle/domain/schedule';
import type { PimStore } from '../requests/adapters/pim-store';
import type { ReviewDefinition } from './domain/review-definition';
import { outsideAssignmentKey } from './domain/review-ids';
import type { ReviewInstance } from './domain/review-instance';
import { isDirectoryRole } from './domain/reviewed-role';
import { mapLimit } from './parallel';

/** One thing a principal holds that becomes one decision item. */
export interface Holding {
  /** The schedule's id, or for an assignment outside pimflow a GUID derived from it (outsideAssignmentKey). */
  key: string;
  principalId: string;
  assignmentType: 'eligible' | 'active';
  /** Graph's role assignment id, for an assignment outside pimflow. */
  roleAssignmentId?: string;
}

type Step = Schedule['kind'] | 'directory';

/** Where the snapshot stands: which step, and the storage's continuation (or the offset) within it. */
interface Cursor {
  k: number;
  t: string | null;
}

export function kindsOf(assignmentTypes: ReviewDefinition['scope']['assignmentTypes']): Schedule['kind'][] {
  if (assignmentTypes === 'eligible') return ['eligibility'];
  if (assignmentTypes === 'active') return ['assignment'];
  return ['eligibility', 'assignment'];
}

function stepsOf(definition: ReviewDefinition, instance: ReviewInstance): Step[] {
  const kinds: Step[] = kindsOf(definition.scope.assignmentTypes);
  return isDirectoryRole(instance) && kinds.includes('assignment') ? [...kinds, 'directory'] : kinds;
}

export interface HoldingsPage {
  holdings: Holding[];
  /** For the next page; null when the snapshot has listed everything. */
  cursor: string | null;
}

export async function holdingsPage(
  deps: { store: PimStore; directory: Directory },
  definition: ReviewDefinition,
  instance: ReviewInstance,
  cursorText: string | null,
  pageSize: number,
): Promise<HoldingsPage> {
  const steps = stepsOf(definition, instance);
  const cursor: Cursor = cursorText ? (JSON.parse(cursorText) as Cursor) : { k: 0, t: null };
  const step = steps[cursor.k];
  if (!step) return { holdings: [], cursor: null };
  const nextStep = cursor.k + 1 < steps.length ? JSON.stringify({ k: cursor.k + 1, t: null }) : null;
  const start = new Date(instance.startDateTime);
  if (step === 'directory') {
    const offset = Number(cursor.t ?? 0);
    const { holdings, more } = await outsideAssignments(deps, instance, start, offset, pageSize);
    return {
      holdings,
      cursor: more ? JSON.stringify({ k: cursor.k, t: String(offset + pageSize) }) : nextStep,
    };
  }
  const page = await deps.store.listSchedules({
    groupId: instance.groupId,
    accessId: instance.accessId,
    kind: step,
    inForceAt: start,
    pageSize,
    continuationToken: cursor.t ?? undefined,
  });
  return {
    holdings: page.items.map((s) => ({
      key: s.id,
      principalId: s.principalId.toLowerCase(),
      assignmentType: s.kind === 'eligibility' ? 'eligible' : 'active',
    })),
    cursor: page.continuationToken ? JSON.stringify({ k: cursor.k, t: page.continuationToken }) : nextStep,
  };
}

/** One page (by offset, in assignment id order) of the role's directory assignments not made by pimflow. */
async function outsideAssignments(
  deps: { store: PimStore; directory: Directory },
  instance: ReviewInstance,
  start: Date,
  offset: number,
  pageSize: number,
): Promise<{ holdings: Holding[]; more: boolean }> {
  const all = await deps.directory.listRoleAssignments({
    roleDefinitionId: instance.accessId,
    directoryScopeId: instance.groupId,
  });
  all.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const slice = all.slice(offset, offset + pageSize);
  const byPimflow = await mapLimit(slice, 10, async (a) => {
    const held = await deps.store.listSchedules({
      groupId: instance.groupId,
      accessId: instance.accessId,
      principalId: a.principalId.toLowerCase(),
      kind: 'assignment',
      inForceAt: start,
      pageSize: 1,
    });
    return held.items.length > 0;
  });
  return {
    holdings: slice
      .filter((_, i) => !byPimflow[i])
      .map((a) => ({
        key: outsideAssignmentKey(a.id),
        principalId: a.principalId.toLowerCase(),
        assignmentType: 'active' as const,
        roleAssignmentId: a.id,
      })),
    more: offset + pageSize < all.length,
  };
}
