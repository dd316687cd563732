/**
 * Who reviews each decision item. The instance's reviewer scopes become a plan: selected users (`/users/{id}`),
 * self-review (no reviewers: the principal reviews their own access), or each principal's manager (`./manager`).
 * Groups and service principals can't review themselves, and principals without a manager have none: their items
 * go to the fallback reviewers (`/users/{id}` only). Items with nobody to review them are left to the admins and the
 * default decision.
 */
import { inParallel } from './parallel';
import type { Directory } from '../directory/directory';
import { GraphError } from '../directory/graph-error';
import { parseReviewers, type ReviewerScope } from './domain/review-definition';
import type { ReviewInstance } from './domain/review-instance';
import type { ReviewStore } from './adapters/review-store';

export interface ReviewerPlan {
  users: string[];
  self: boolean;
  manager: boolean;
  fallback: string[];
}

/** The plan of an instance's reviewers, or why its scopes can't be resolved. */
export function reviewerPlan(
  reviewers: readonly ReviewerScope[],
  fallbackReviewers: readonly ReviewerScope[],
): ReviewerPlan | { error: string } {
  const rules = parseReviewers(reviewers);
  if ('error' in rules) return { error: `reviewers: ${rules.error}` };
  const fallback = fallbackUserIds(fallbackReviewers);
  if ('error' in fallback) return fallback;
  return {
    users: [...new Set(rules.flatMap((r) => (r.kind === 'user' ? [r.id] : [])))],
    self: rules.some((r) => r.kind === 'self'),
    manager: rules.some((r) => r.kind === 'manager'),
    fallback: fallback.ids,
  };
}

/** Fallback reviewers are selected users only. */
export function fallbackUserIds(scopes: readonly ReviewerScope[]): { ids: string[] } | { error: string } {
  const ids: string[] = [];
  for (const scope of scopes) {
    const rules = parseReviewers([scope]);
    const rule = 'error' in rules ? undefined : rules[0];
    if (rule?.kind !== 'user')
      return { error: `fallbackReviewers: "${scope.query}" is not supported; use /users/{id}` };
    if (!ids.includes(rule.id)) ids.push(rule.id);
  }
  return { ids };
}

export type PrincipalKind = 'user' | 'group' | 'servicePrincipal';

/** The reviewers of one principal's item (lower-case user ids). */
export async function reviewerIdsFor(
  plan: ReviewerPlan,
  principal: { id: string; type: PrincipalKind },
  managerOf: (userId: string) => Promise<string | null>,
): Promise<string[]> {
  const ids = [...plan.users];
  if (plan.self) {
    if (principal.type === 'user') ids.push(principal.id.toLowerCase());
    else ids.push(...plan.fallback);
  }
  if (plan.manager) {
    const manager = principal.type === 'user' ? await managerOf(principal.id) : null;
    if (manager) ids.push(manager.toLowerCase());
    else ids.push(...plan.fallback);
  }
  return [...new Set(ids)];
}

/** Managers by user id, each asked of the directory once; a user that doesn't exist has none. */
export function managerLookup(directory: Directory): (userId: string) => Promise<string | null> {
  const cache = new Map<string, Promise<string | null>>();
  return (userId) => {
    const key = userId.toLowerCase();
    let found = cache.get(key);
    if (!found) {
      found = directory
        .getManager(key)
        .then((m) => m?.id ?? null)
        .catch((err: unknown) => {
          if (err instanceof GraphError && err.status === 404) return null;
          cache.delete(key);
          throw err;
        });
      cache.set(key, found);
    }
    return found;
  };
}

/**
 * After the reviewers of a running instance changed: gives every item not yet decided the reviewers the new scopes
 * name (decided items keep theirs, as the record of who could decide them). ETag-guarded per item. Returns how many
 * items changed.
 */
export async function reresolvePendingReviewers(
  deps: { reviews: ReviewStore; directory: Directory },
  instance: ReviewInstance,
): Promise<number> {
  const plan = reviewerPlan(instance.reviewers, instance.fallbackReviewers);
  if ('error' in plan) throw new Error(plan.error);
  const managerOf = managerLookup(deps.directory);
  let changed = 0;
  let token: string | undefined;
  do {
    const page = await deps.reviews.listDecisions({
      instanceId: instance.id,
      decision: 'NotReviewed',
      pageSize: 200,
      continuationToken: token,
    });
    token = page.continuationToken;
    await inParallel(page.items, 10, async (item) => {
      const ids = await reviewerIdsFor(plan, item.principal, managerOf);
      const result = await deps.reviews.decisions.update(item.id, item.instanceId, (current) =>
        current.decision === 'NotReviewed' && !sameIds(current.reviewerIds, ids)
          ? { ...current, reviewerIds: ids }
          : undefined,
      );
      if (result.changed) changed++;
    });
  } while (token);
  return changed;
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
