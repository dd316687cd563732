/**
 * What a snapshot reviews, step by step: pimflow's schedules of the role in force at the start (eligible ones,
 * active ones, or both), and for a directory or Azure role with active assignments in scope, the role's assignments
 * made outside pimflow (a principal holding the role without a pimflow assignment in force: PIM reviews every
 * active holder) — in the directory, or in ARM at exactly the instance's scope (assignments inherited from above
 * belong to the review of the scope that makes them). Each step is paged; the cursor says which step and where in it.
 *
 * Azure roles: a security group holding the role is expanded (seed 000's note 2): each user that is a direct member
 * of it is a holding, recording the group it comes through; a group nested in it is neither an item nor expanded
 * (note 3: only users directly in the group appear).
 */
import { normalizeAzureScope } from '../access/resource';
import type { Directory } from '../directory/directory';
import type { Schedule } from '../lifecycle/domain/schedule';
import type { PimStore } from '../requests/adapters/pim-store';
import type { AzureReviewPorts } from './azure-review-ports';
import type { ReviewDefinition } from './domain/review-definition';
import { groupMemberKey, outsideAssignmentKey } from './domain/review-ids';
import type { ReviewInstance } from './domain/review-instance';
import { isAzureRole, isRoleAtScope } from './domain/reviewed-role';
import { mapLimit } from './parallel';

/** One thing a principal holds that becomes one decision item. */
export interface Holding {
  /** The schedule's id, or for an assignment outside pimflow a GUID derived from it (outsideAssignmentKey). */
  key: string;
  principalId: string;
  assignmentType: 'eligible' | 'active';
  /** Graph's or ARM's role assignment id, for an assignment outside pimflow. */
  roleAssignmentId?: string;
  /** Azure roles: the group the principal (a direct member) holds the role through, and how the group holds it. */
  throughGroup?: {
    id: string;
    displayName: string | null;
    scheduleId: string | null;
    roleAssignmentId: string | null;
  };
}

interface HoldingDeps {
  store: PimStore;
  directory: Directory;
  azureReviews?: Pick<AzureReviewPorts, 'rbac'>;
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
  return isRoleAtScope(instance) && kinds.includes('assignment') ? [...kinds, 'directory'] : kinds;
}

export interface HoldingsPage {
  holdings: Holding[];
  /** For the next page; null when the snapshot has listed everything. */
  cursor: string | null;
}

export async function holdingsPage(
  deps: HoldingDeps,
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
      holdings: isAzureRole(instance) ? await expandGroups(deps.directory, holdings) : holdings,
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
  const holdings: Holding[] = page.items.map((s) => ({
    key: s.id,
    principalId: s.principalId.toLowerCase(),
    assignmentType: s.kind === 'eligibility' ? 'eligible' : 'active',
  }));
  return {
    holdings: isAzureRole(instance) ? await expandGroups(deps.directory, holdings) : holdings,
    cursor: page.continuationToken ? JSON.stringify({ k: cursor.k, t: page.continuationToken }) : nextStep,
  };
}

/** The role's assignments made at the instance's scope: in the directory, or in ARM (at exactly that scope). */
async function assignmentsAtScope(
  deps: HoldingDeps,
  instance: ReviewInstance,
): Promise<{ id: string; principalId: string }[]> {
  if (!isAzureRole(instance))
    return deps.directory.listRoleAssignments({
      roleDefinitionId: instance.accessId,
      directoryScopeId: instance.groupId,
    });
  if (!deps.azureReviews)
    throw new Error('Reviews of Azure roles need Azure Resource Manager (azureReviews)');
  const listed = await deps.azureReviews.rbac.listRoleAssignments({
    scope: instance.groupId,
    atScope: true,
    roleDefinitionId: instance.accessId,
  });
  return listed.filter(
    (a) =>
      normalizeAzureScope(a.scope) === instance.groupId &&
      a.roleDefinitionId.toLowerCase() === instance.accessId,
  );
}

/**
 * Each group holding replaced by a holding per user directly in the group (groups nested in it are left out, as
 * are service principals); users and service principals holding the role themselves stay as they are.
 */
async function expandGroups(directory: Directory, holdings: Holding[]): Promise<Holding[]> {
  const candidates = [...new Set(holdings.map((h) => h.principalId))];
  const users = await directory.getUsers(candidates);
  const notUsers = candidates.filter((id) => !users[id]);
  const groups = new Map<string, { displayName: string | null; members: string[] }>();
  await mapLimit(notUsers, 5, async (id) => {
    const principal = await directory.getPrincipal(id);
    if (principal?.type !== 'group') return;
    const members = await directory.listGroupMembers(id);
    groups.set(id, {
      displayName: principal.displayName,
      members: members.filter((m) => m.type === 'user').map((m) => m.id.toLowerCase()),
    });
  });
  return holdings.flatMap((h) => {
    const group = groups.get(h.principalId);
    if (!group) return [h];
    return group.members.map((memberId) => ({
      key: groupMemberKey(h.key, memberId),
      principalId: memberId,
      assignmentType: h.assignmentType,
      throughGroup: {
        id: h.principalId,
        displayName: group.displayName,
        scheduleId: h.roleAssignmentId ? null : h.key,
        roleAssignmentId: h.roleAssignmentId ?? null,
      },
    }));
  });
}

/** One page (by offset, in assignment id order) of the role's assignments at its scope not made by pimflow. */
async function outsideAssignments(
  deps: HoldingDeps,
  instance: ReviewInstance,
  start: Date,
  offset: number,
  pageSize: number,
): Promise<{ holdings: Holding[]; more: boolean }> {
  const all = await assignmentsAtScope(deps, instance);
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
