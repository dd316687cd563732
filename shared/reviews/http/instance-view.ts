/**
 * An instance as the API shows it: Graph's accessReviewInstance fields, plus the role it reviews (ours): a group role,
 * or a directory role (`roleDefinitionId`, `directoryScopeId`, `roleDisplayName`: the instance is named for its role).
 */
import type { ReviewInstance } from '../domain/review-instance';
import { isDirectoryRole } from '../domain/reviewed-role';

export function instanceView(i: ReviewInstance) {
  return {
    '@odata.type': '#microsoft.graph.accessReviewInstance',
    id: i.id,
    startDateTime: i.startDateTime,
    endDateTime: i.endDateTime,
    status: i.status,
    scope: {
      '@odata.type': '#pimflow.groupRoleReviewScope',
      roles: [
        isDirectoryRole(i)
          ? { roleDefinitionId: i.accessId, directoryScopeId: i.groupId }
          : { groupId: i.groupId, accessId: i.accessId },
      ],
    },
    reviewers: i.reviewers,
    fallbackReviewers: i.fallbackReviewers,
    ...(isDirectoryRole(i)
      ? {
          resourceType: 'directoryRole',
          roleDefinitionId: i.accessId,
          directoryScopeId: i.groupId,
          roleDisplayName: i.roleDisplayName ?? null,
          scopeDisplayName: i.groupDisplayName,
        }
      : { groupId: i.groupId, accessId: i.accessId, groupDisplayName: i.groupDisplayName }),
    definitionId: i.definitionId,
    occurrence: i.occurrence,
    stoppedBy: i.stoppedBy,
    completedDateTime: i.completedDateTime,
    appliedDateTime: i.appliedDateTime,
  };
}
