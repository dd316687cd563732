/**
 * Names shared by the review orchestrations, their activities and the HTTP functions: orchestrator and activity
 * names, event names, and the derived ids (so a retried start can't create two of anything).
 */
import { guidFrom } from '../deterministic-id';

export const REVIEW_ORCHESTRATORS = {
  /** Eternal per definition: waits for each occurrence, fans out its instances, continues as new. */
  series: 'AccessReviewSeriesOrchestrator',
  /** Per instance: start (snapshot, reviewers, mails), midpoint reminder, completion, auto-apply. */
  instance: 'AccessReviewInstanceOrchestrator',
  /** Per instance: applies its decisions in chunks, resumable. Started by auto-apply or applyDecisions. */
  apply: 'AccessReviewApplyOrchestrator',
} as const;

export const REVIEW_EVENTS = {
  /** To an instance orchestration: stop now (final); payload `{ by: { id, displayName } }`. */
  stopInstance: 'StopReview',
  /** To the series orchestration: the definition was deleted or its series ended. */
  stopSeries: 'StopSeries',
} as const;

export function seriesInstanceId(definitionId: string): string {
  return `review-series-${definitionId}`;
}

export function instanceOrchestrationId(instanceId: string): string {
  return `review-instance-${instanceId}`;
}

export function applyOrchestrationId(instanceId: string): string {
  return `review-apply-${instanceId}`;
}

/** The instance reviewing one group role in one occurrence of a series. */
export function reviewInstanceId(
  definitionId: string,
  occurrence: number,
  groupId: string,
  accessId: string,
): string {
  return guidFrom(
    'pimflow-review-instance',
    definitionId,
    String(occurrence),
    groupId.toLowerCase(),
    accessId,
  );
}

/** The decision item of one schedule in one instance. */
export function reviewDecisionId(instanceId: string, scheduleId: string): string {
  return guidFrom('pimflow-review-decision', instanceId, scheduleId);
}
