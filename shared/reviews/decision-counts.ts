/** Reading an instance's decision items whole, a page at a time: counts by decision, and items per reviewer. */
import type { DecisionCounts } from './contract';
import { DEFAULT_DECIDER } from './domain/default-decision';
import type { ReviewDecision } from './domain/review-decision';
import type { ReviewStore } from './adapters/review-store';

/** Reads every item of an instance, a page at a time. */
export async function forEachDecision(
  reviews: ReviewStore,
  instanceId: string,
  visit: (item: ReviewDecision) => void,
  filter: { decision?: ReviewDecision['decision']; reviewerId?: string; stageId?: string } = {},
): Promise<void> {
  let token: string | undefined;
  do {
    const page = await reviews.listDecisions({
      instanceId,
      ...filter,
      pageSize: 1000,
      continuationToken: token,
    });
    page.items.forEach(visit);
    token = page.continuationToken;
  } while (token);
}

/** Items per reviewer: all of them, or only those not yet decided; in a multi-stage review, one stage's. */
export async function reviewerCounts(
  reviews: ReviewStore,
  instanceId: string,
  pendingOnly: boolean,
  stageId?: string,
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  await forEachDecision(
    reviews,
    instanceId,
    (item) => {
      for (const id of item.reviewerIds) counts.set(id, (counts.get(id) ?? 0) + 1);
    },
    {
      ...(pendingOnly ? { decision: 'NotReviewed' as const } : {}),
      ...(stageId === undefined ? {} : { stageId }),
    },
  );
  return counts;
}

export async function countDecisions(reviews: ReviewStore, instanceId: string): Promise<DecisionCounts> {
  const c: DecisionCounts = { total: 0, approved: 0, denied: 0, dontKnow: 0, notReviewed: 0, defaulted: 0 };
  await forEachDecision(reviews, instanceId, (item) => {
    c.total++;
    if (item.decision === 'Approve') c.approved++;
    else if (item.decision === 'Deny') c.denied++;
    else if (item.decision === 'DontKnow') c.dontKnow++;
    else c.notReviewed++;
    if (item.reviewedBy?.id === DEFAULT_DECIDER.id) c.defaulted++;
  });
  return c;
}
