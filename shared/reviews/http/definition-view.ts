/**
 * A definition as the API returns it: Graph's accessReviewScheduleDefinition (the stored document without its ETag
 * and the internal orchestration id), with `@odata.type`.
 */
import type { ReviewDefinition } from '../domain/review-definition';

export function definitionView(d: ReviewDefinition & { _etag?: string }): Record<string, unknown> {
  const { _etag: _e, orchestrationInstanceId: _o, ...rest } = d;
  return {
    '@odata.type': '#microsoft.graph.accessReviewScheduleDefinition',
    id: rest.id,
    displayName: rest.displayName,
    descriptionForAdmins: rest.descriptionForAdmins,
    descriptionForReviewers: rest.descriptionForReviewers,
    status: rest.status,
    createdBy: rest.createdBy,
    createdDateTime: rest.createdDateTime,
    lastModifiedDateTime: rest.lastModifiedDateTime,
    scope: rest.scope,
    reviewers: rest.reviewers,
    fallbackReviewers: rest.fallbackReviewers,
    additionalNotificationRecipients: rest.additionalNotificationRecipients,
    settings: rest.settings,
    ...(rest.stageSettings ? { stageSettings: rest.stageSettings } : {}),
  };
}
