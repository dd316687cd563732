/**
 * A definition as the API returns it: Graph's accessReviewScheduleDefinition (the stored document without its ETag
 * and the internal orchestration id), with `@odata.type`. A scope written as Graph's is answered as written (Graph
 * clients read back what they sent); `backupReviewers` repeats `fallbackReviewers`, as Graph fills either from the
 * other; the recurrence has every field of Graph's patternedRecurrence.
 */
import { recurrenceView, type ReviewDefinition } from '../domain/review-definition';

export function definitionView(d: ReviewDefinition & { _etag?: string }): Record<string, unknown> {
  const { recurrence, ...settings } = d.settings;
  return {
    '@odata.type': '#microsoft.graph.accessReviewScheduleDefinition',
    id: d.id,
    displayName: d.displayName,
    descriptionForAdmins: d.descriptionForAdmins,
    descriptionForReviewers: d.descriptionForReviewers,
    status: d.status,
    createdBy: d.createdBy,
    createdDateTime: d.createdDateTime,
    lastModifiedDateTime: d.lastModifiedDateTime,
    scope: d.graphScope?.scope ?? d.scope,
    instanceEnumerationScope: d.graphScope?.instanceEnumerationScope ?? null,
    reviewers: d.reviewers,
    fallbackReviewers: d.fallbackReviewers,
    backupReviewers: d.fallbackReviewers,
    additionalNotificationRecipients: d.additionalNotificationRecipients,
    settings: {
      ...settings,
      decisionHistoriesForReviewersEnabled: settings.decisionHistoriesForReviewersEnabled ?? false,
      applyActions: settings.applyActions ?? [],
      recurrence: recurrence ? recurrenceView(recurrence) : (recurrence ?? null),
    },
    ...(d.stageSettings ? { stageSettings: d.stageSettings } : {}),
  };
}
