/**
 * The snapshot an instance takes at its start: one decision item per schedule of its group role in force at the
 * start (eligible ones, active ones — assigned or activated — or both, as the scope says), for the kinds of principal
 * the scope names (and, optionally, only users inactive for N days), with the recommendation from sign-in activity
 * and the item's reviewers. Written a page of schedules at a time, so the orchestration passes a cursor and counts,
 * never the items; item ids derive from the instance and the schedule, so a re-run page writes nothing twice.
 */
import type { Directory, DirectoryUser, SignInActivity } from '../directory/directory';
import type { PimStore } from '../requests/adapters/pim-store';
import type { Schedule } from '../lifecycle/domain/schedule';
import { AlreadyExistsError } from '../storage/errors';
import { isInactive, lastSignInOf, lookBackMs, recommend } from './domain/recommendations';
import type { ReviewDecision } from './domain/review-decision';
import type { ReviewDefinition } from './domain/review-definition';
import type { ReviewInstance } from './domain/review-instance';
import { reviewDecisionId } from './domain/review-ids';
import type { ReviewStore } from './adapters/review-store';
import { inParallel } from './parallel';
import { managerLookup, reviewerIdsFor, reviewerPlan, type PrincipalKind } from './reviewers';

export interface SnapshotDeps {
  store: PimStore;
  reviews: ReviewStore;
  directory: Directory;
}

export const SNAPSHOT_PAGE = 200;

type Kind = Schedule['kind'];

/** Where the snapshot stands: which kind of schedule, and the storage's continuation within it. */
interface Cursor {
  k: number;
  t: string | null;
}

export function kindsOf(assignmentTypes: ReviewDefinition['scope']['assignmentTypes']): Kind[] {
  if (assignmentTypes === 'eligible') return ['eligibility'];
  if (assignmentTypes === 'active') return ['assignment'];
  return ['eligibility', 'assignment'];
}

export interface SnapshotPageResult {
  /** Items written by this call (0 for a page already written). */
  written: number;
  /** Schedules left out by the scope (principal kinds, inactive users only) or whose principal no longer exists. */
  skipped: number;
  /** Pass back for the next page; null when the snapshot is complete. */
  cursor: string | null;
}

export async function snapshotPage(
  deps: SnapshotDeps,
  definition: ReviewDefinition,
  instance: ReviewInstance,
  cursorText: string | null,
  pageSize = SNAPSHOT_PAGE,
): Promise<SnapshotPageResult> {
  const kinds = kindsOf(definition.scope.assignmentTypes);
  const cursor: Cursor = cursorText ? (JSON.parse(cursorText) as Cursor) : { k: 0, t: null };
  const kind = kinds[cursor.k];
  if (!kind) return { written: 0, skipped: 0, cursor: null };
  const start = new Date(instance.startDateTime);
  const page = await deps.store.listSchedules({
    groupId: instance.groupId,
    accessId: instance.accessId,
    kind,
    inForceAt: start,
    pageSize,
    continuationToken: cursor.t ?? undefined,
  });
  const next: Cursor | null = page.continuationToken
    ? { k: cursor.k, t: page.continuationToken }
    : cursor.k + 1 < kinds.length
      ? { k: cursor.k + 1, t: null }
      : null;
  const nextText = next ? JSON.stringify(next) : null;
  if (page.items.length === 0) return { written: 0, skipped: 0, cursor: nextText };

  const principalIds = [...new Set(page.items.map((s) => s.principalId.toLowerCase()))];
  const principals = await resolvePrincipals(deps.directory, principalIds);
  const scope = definition.scope;
  const settings = definition.settings;
  const userIds = principalIds.filter((id) => principals.get(id)?.type === 'user');
  const needSignIns = settings.recommendationsEnabled || scope.inactiveDurationInDays !== null;
  const signIns: Record<string, SignInActivity | null> =
    needSignIns && userIds.length > 0 ? await deps.directory.getSignInActivities(userIds) : {};
  const plan = reviewerPlan(instance.reviewers, instance.fallbackReviewers);
  if ('error' in plan) throw new Error(plan.error);
  const managerOf = managerLookup(deps.directory);
  const lookBack = lookBackMs(settings.recommendationLookBackDuration);

  let written = 0;
  let skipped = 0;
  await inParallel(page.items, 10, async (schedule) => {
    const pid = schedule.principalId.toLowerCase();
    const principal = principals.get(pid);
    const activity = signIns[pid];
    if (
      !principal ||
      !scope.principalTypes.includes(principal.type) ||
      (scope.inactiveDurationInDays !== null &&
        (principal.type !== 'user' || !isInactive(activity, scope.inactiveDurationInDays, start)))
    ) {
      skipped++;
      return;
    }
    const item: ReviewDecision = {
      id: reviewDecisionId(instance.id, schedule.id),
      instanceId: instance.id,
      definitionId: instance.definitionId,
      accessReviewId: instance.definitionId,
      principal,
      resource: {
        groupId: instance.groupId,
        accessId: instance.accessId,
        displayName: instance.groupDisplayName,
      },
      scheduleId: schedule.id,
      assignmentType: schedule.kind === 'eligibility' ? 'eligible' : 'active',
      lastSignInDateTime: principal.type === 'user' ? lastSignInOf(activity) : null,
      recommendation: settings.recommendationsEnabled
        ? recommend(principal.type, activity, lookBack, start)
        : 'NoInfoAvailable',
      decision: 'NotReviewed',
      justification: null,
      reviewedBy: null,
      reviewedDateTime: null,
      reviewerIds: await reviewerIdsFor(plan, principal, managerOf),
      applyResult: 'New',
      appliedBy: null,
      appliedDateTime: null,
    };
    try {
      await deps.reviews.decisions.create(item);
      written++;
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
    }
  });
  return { written, skipped, cursor: nextText };
}

interface ItemPrincipal {
  id: string;
  type: PrincipalKind;
  displayName: string | null;
  userPrincipalName: string | null;
}

/** Users in `$batch`es of 20; whatever isn't a user is looked up as a directory object (groups, apps). */
async function resolvePrincipals(directory: Directory, ids: string[]): Promise<Map<string, ItemPrincipal>> {
  const users: Record<string, DirectoryUser | null> = await directory.getUsers(ids);
  const found = new Map<string, ItemPrincipal>();
  const others: string[] = [];
  for (const id of ids) {
    const u = users[id];
    if (u)
      found.set(id, { id, type: 'user', displayName: u.displayName, userPrincipalName: u.userPrincipalName });
    else others.push(id);
  }
  await inParallel(others, 5, async (id) => {
    const p = await directory.getPrincipal(id);
    if (p && p.type !== 'other' && p.type !== 'user')
      found.set(id, { id, type: p.type, displayName: p.displayName, userPrincipalName: null });
  });
  return found;
}
