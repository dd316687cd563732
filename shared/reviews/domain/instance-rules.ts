/** Rules of a running instance: what may change on it, and the reasons its bulk decisions give. */
import type { ReviewDecision } from './review-decision';
import type { ReviewInstance } from './review-instance';

/** Reviewer changes are for the current instance only (not started yet or in progress); why not, otherwise. */
export function whyNotCurrent(instance: Pick<ReviewInstance, 'status' | 'stoppedBy'>): string | undefined {
  if ((instance.status === 'InProgress' || instance.status === 'NotStarted') && !instance.stoppedBy)
    return undefined;
  return `The instance is ${instance.stoppedBy ? 'stopped' : instance.status}: only the current instance (NotStarted or InProgress) can change; change the series instead`;
}

/** Fallback reviewers can be added while a review runs, never removed: the ones a change would remove. */
export function removedFallbackReviewers(before: readonly string[], after: readonly string[]): string[] {
  return before.filter((id) => !after.includes(id));
}

/** The reason recorded when a reviewer accepts an item's recommendation. */
export function acceptedRecommendationReason(item: Pick<ReviewDecision, 'lastSignInDateTime'>): string {
  return `Accepted the recommendation (${
    item.lastSignInDateTime ? `last sign-in ${item.lastSignInDateTime}` : 'no sign-in on record'
  })`;
}
