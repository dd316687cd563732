/**
 * Default decisions: when a review ends, items nobody decided take the series' default — Approve, Deny, or the item's
 * recommendation (items without one stay NotReviewed) — decided by pimflow itself. `None` (Graph's) decides nothing.
 */
import type { ReviewDecision } from './review-decision';
import type { ReviewDefinition } from './review-definition';

/** Who took a default decision: pimflow itself, as Entra's "AAD Access Reviews". */
export const DEFAULT_DECIDER = {
  id: '00000000-0000-0000-0000-000000000000',
  displayName: 'pimflow (default decision)',
  userPrincipalName: null,
};

type DefaultSetting = ReviewDefinition['settings']['defaultDecision'];

/** Whether items not reviewed take a default decision at the end: enabled, and a decision other than `None`. */
export function takesDefaultDecisions(settings: ReviewDefinition['settings']): boolean {
  return settings.defaultDecisionEnabled && settings.defaultDecision !== 'None';
}

/** The default decision for an item, if it gets one. */
export function defaultFor(setting: DefaultSetting, item: ReviewDecision): 'Approve' | 'Deny' | undefined {
  if (setting === 'None') return undefined;
  if (setting === 'Approve' || setting === 'Deny') return setting;
  return item.recommendation === 'NoInfoAvailable' ? undefined : item.recommendation;
}

/** The item with its default decision taken at `at`; undefined when it was decided meanwhile. */
export function withDefaultDecision<T extends ReviewDecision>(
  item: T,
  decision: 'Approve' | 'Deny',
  setting: DefaultSetting,
  at: string,
): T | undefined {
  if (item.decision !== 'NotReviewed') return undefined;
  return {
    ...item,
    decision,
    justification: `Default decision (${setting}): not reviewed by the end of the review`,
    reviewedBy: DEFAULT_DECIDER,
    reviewedDateTime: at,
  };
}
