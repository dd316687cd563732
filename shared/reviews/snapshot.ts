/**
 * The snapshot an instance takes at its start: one decision item per schedule of its role in force at the start
 * (eligible ones, active ones — assigned or activated — or both, as the scope says; for a directory role also each
 * assignment made outside pimflow: snapshot-holdings.ts), for the kinds of principal the scope names (and,
 * optionally, only users inactive for N days), with the recommendation from sign-in activity and the item's
 * reviewers. A role-assignable group holding a directory role is one item, never expanded. Written a page of schedules at a time, so the orchestration passes a cursor and counts,
 * never the items; item ids derive from the instance and the schedule, so a re-run page writes nothing twice.
 */
import type { Directory, DirectoryUser, SignInActivity } from '../directory/directory';
import type { PimStore } from '../requests/adapters/pim-store';
import { AlreadyExistsError } from '../storage/errors';
import { isInactive, lastSignInOf, lookBackMs, recommend } from './domain/recommendations';
import type { ReviewDecision } from './domain/review-decision';
import type { ReviewDefinition } from './domain/review-definition';
import type { ReviewInstance } from './domain/review-instance';
import { reviewDecisionId } from './domain/review-ids';
import type { ReviewStore } from './adapters/review-store';
import { inParallel } from './parallel';
import { isAzureRole, isRoleAtScope } from './domain/reviewed-role';
import { holdingsPage } from './snapshot-holdings';
import type { AzureReviewPorts } from './azure-review-ports';
import { managerLookup, reviewerIdsFor, reviewerPlan, type PrincipalKind } from './reviewers';

export interface SnapshotDeps {
  store: PimStore;
  reviews: ReviewStore;
  directory: Directory;
  /** Reviews of Azure roles read who holds the role at the scope from ARM. */
  azureReviews?: Pick<AzureReviewPorts, 'rbac'>;
}

export const SNAPSHOT_PAGE = 200;

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
  const page = await holdingsPage(deps, definition, instance, cursorText, pageSize);
  if (page.holdings.length === 0) return { written: 0, skipped: 0, cursor: page.cursor };

  const principalIds = [...new Set(page.holdings.map((h) => h.principalId))];
  const principals = await resolvePrincipals(deps.directory, principalIds);
  const scope = definition.scope;
  const settings = definition.settings;
  const start = new Date(instance.startDateTime);
  const userIds = principalIds.filter((id) => principals.get(id)?.type === 'user');
  // Computed once, at the snapshot: for the review, or for any of its stages that shows recommendations.
  const recommendations =
    settings.recommendationsEnabled || (definition.stageSettings ?? []).some((s) => s.recommendationsEnabled);
  const needSignIns = recommendations || scope.inactiveDurationInDays !== null;
  const signIns: Record<string, SignInActivity | null> =
    needSignIns && userIds.length > 0 ? await deps.directory.getSignInActivities(userIds) : {};
  const plan = reviewerPlan(instance.reviewers, instance.fallbackReviewers);
  if ('error' in plan) throw new Error(plan.error);
  const managerOf = managerLookup(deps.directory);
  const lookBack = lookBackMs(settings.recommendationLookBackDuration);
  // Entra role reviews leave role-assignable groups out of self-review (a group can't review itself).
  const groupsLeftOut = isRoleAtScope(instance) && plan.self;
  // A multi-stage review's items start in its first stage (whose reviewers the instance has at its start).
  const firstStage = instance.stages?.[0]?.stageId;

  let written = 0;
  let skipped = 0;
  await inParallel(page.holdings, 10, async (holding) => {
    const pid = holding.principalId;
    const principal = principals.get(pid);
    const activity = signIns[pid];
    if (
      !principal ||
      !scope.principalTypes.includes(principal.type) ||
      (groupsLeftOut && principal.type === 'group') ||
      (scope.inactiveDurationInDays !== null &&
        (principal.type !== 'user' || !isInactive(activity, scope.inactiveDurationInDays, start)))
    ) {
      skipped++;
      return;
    }
    const item: ReviewDecision = {
      id: reviewDecisionId(instance.id, holding.key),
      instanceId: instance.id,
      definitionId: instance.definitionId,
      accessReviewId: instance.id,
      principal,
      resource: {
        ...(instance.resourceType ? { resourceType: instance.resourceType } : {}),
        groupId: instance.groupId,
        accessId: instance.accessId,
        displayName: isRoleAtScope(instance) ? (instance.roleDisplayName ?? null) : instance.groupDisplayName,
        ...(isAzureRole(instance) ? { scopeDisplayName: instance.groupDisplayName } : {}),
      },
      scheduleId: holding.key,
      ...(holding.roleAssignmentId ? { roleAssignmentId: holding.roleAssignmentId } : {}),
      ...(holding.throughGroup ? { accessThroughGroup: holding.throughGroup } : {}),
      assignmentType: holding.assignmentType,
      lastSignInDateTime: principal.type === 'user' ? lastSignInOf(activity) : null,
      recommendation: recommendations
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
      ...(firstStage ? { stageId: firstStage, stageIds: [firstStage] } : {}),
    };
    try {
      await deps.reviews.decisions.create(item);
      written++;
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
    }
  });
  return { written, skipped, cursor: page.cursor };
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
