/** An instance as the API shows it: Graph's accessReviewInstance fields, plus the group role it reviews (ours). */
import type { ReviewInstance } from '../domain/review-instance';

export function instanceView(i: ReviewInstance) {
  return {
    '@odata.type': '#microsoft.graph.accessReviewInstance',
    id: i.id,
    startDateTime: i.startDateTime,
    endDateTime: i.endDateTime,
    status: i.status,
    scope: {
      '@odata.type': '#pimflow.groupRoleReviewScope',
      roles: [{ groupId: i.groupId, accessId: i.accessId }],
    },
    reviewers: i.reviewers,
    fallbackReviewers: i.fallbackReviewers,
    groupId: i.groupId,
    accessId: i.accessId,
    groupDisplayName: i.groupDisplayName,
    definitionId: i.definitionId,
    occurrence: i.occurrence,
    stoppedBy: i.stoppedBy,
    completedDateTime: i.completedDateTime,
    appliedDateTime: i.appliedDateTime,
  };
}
