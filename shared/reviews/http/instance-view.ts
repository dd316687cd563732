/**
 * An instance as the API shows it: Graph's accessReviewInstance fields, plus the role it reviews (ours): a group role,
 * a directory role (`roleDefinitionId`, `directoryScopeId`, `roleDisplayName`: the instance is named for its role) or
 * an Azure role (`roleDefinitionId`, `azureScope`, `roleDisplayName`, `scopeDisplayName`).
 */
import type { ReviewInstance } from '../domain/review-instance';
import { isAzureRole, isDirectoryRole } from '../domain/reviewed-role';

function roleOf(i: ReviewInstance) {
  if (isAzureRole(i)) return { roleDefinitionId: i.accessId, azureScope: i.groupId };
  if (isDirectoryRole(i)) return { roleDefinitionId: i.accessId, directoryScopeId: i.groupId };
  return { groupId: i.groupId, accessId: i.accessId };
}

function namesOf(i: ReviewInstance) {
  if (isAzureRole(i))
    return {
      resourceType: 'azureRole',
      roleDefinitionId: i.accessId,
      azureScope: i.groupId,
      roleDisplayName: i.roleDisplayName ?? null,
      scopeDisplayName: i.groupDisplayName,
    };
  if (isDirectoryRole(i))
    return {
      resourceType: 'directoryRole',
      roleDefinitionId: i.accessId,
      directoryScopeId: i.groupId,
      roleDisplayName: i.roleDisplayName ?? null,
      scopeDisplayName: i.groupDisplayName,
    };
  return { groupId: i.groupId, accessId: i.accessId, groupDisplayName: i.groupDisplayName };
}

export function instanceView(i: ReviewInstance) {
  return {
    '@odata.type': '#microsoft.graph.accessReviewInstance',
    id: i.id,
    startDateTime: i.startDateTime,
    endDateTime: i.endDateTime,
    status: i.status,
    scope: {
      '@odata.type': '#pimflow.groupRoleReviewScope',
      roles: [roleOf(i)],
    },
    reviewers: i.reviewers,
    fallbackReviewers: i.fallbackReviewers,
    ...namesOf(i),
    definitionId: i.definitionId,
    occurrence: i.occurrence,
    stoppedBy: i.stoppedBy,
    completedDateTime: i.completedDateTime,
    appliedDateTime: i.appliedDateTime,
  };
}
