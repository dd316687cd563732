/**
 * A decision item as the API shows it: Graph's accessReviewInstanceDecisionItem (principal, resource, decision,
 * recommendation, justification, reviewedBy, applyResult...), with our resource (the group role), the assignment
 * reviewed and the evidence for the recommendation (the principal's last sign-in).
 */
import { azureScopeKind } from '../../access/resource';
import type { ReviewDecision } from '../domain/review-decision';
import { isAzureRole, isDirectoryRole } from '../domain/reviewed-role';

const GRAPH = 'https://graph.microsoft.com/v1.0';
const ARM = 'https://management.azure.com';
const IDENTITY_TYPES = {
  user: '#microsoft.graph.userIdentity',
  group: '#microsoft.graph.groupIdentity',
  servicePrincipal: '#microsoft.graph.servicePrincipalIdentity',
} as const;
const COLLECTIONS = { user: 'users', group: 'groups', servicePrincipal: 'servicePrincipals' } as const;

/** The group role (ours), or the directory or Azure role as Graph names a role review's resource. */
function resourceOf(d: ReviewDecision) {
  const r = d.resource;
  if (isAzureRole(r))
    return {
      resource: {
        '@odata.type': '#microsoft.graph.accessReviewInstanceDecisionItemAzureRoleResource',
        id: r.accessId,
        displayName: r.displayName,
        type: 'AzureRole',
        scope: {
          '@odata.type': '#microsoft.graph.accessReviewInstanceDecisionItemResource',
          id: r.groupId,
          displayName: r.scopeDisplayName ?? null,
          type: azureScopeKind(r.groupId) ?? null,
        },
      },
      resourceLink: `${ARM}${r.groupId}/providers/Microsoft.Authorization/roleDefinitions/${r.accessId}`,
    };
  if (isDirectoryRole(r))
    return {
      resource: {
        '@odata.type': '#microsoft.graph.accessReviewInstanceDecisionItemResource',
        id: r.accessId,
        displayName: r.displayName,
        type: 'directoryRole',
        directoryScopeId: r.groupId,
      },
      resourceLink: `${GRAPH}/roleManagement/directory/roleDefinitions/${r.accessId}`,
    };
  return {
    resource: {
      '@odata.type': '#pimflow.groupRoleResource',
      id: r.groupId,
      displayName: r.displayName,
      type: 'group',
      accessId: r.accessId,
    },
    resourceLink: `${GRAPH}/groups/${r.groupId}`,
  };
}

/** Nobody (not reviewed, not applied), as Graph answers it: the empty GUID with empty names, never null. */
export const NO_IDENTITY = {
  id: '00000000-0000-0000-0000-000000000000',
  displayName: '',
  userPrincipalName: '',
} as const;

function identityView(who: ReviewDecision['reviewedBy']) {
  if (!who) return NO_IDENTITY;
  return { id: who.id, displayName: who.displayName, userPrincipalName: who.userPrincipalName ?? null };
}

export function decisionView(d: ReviewDecision) {
  return {
    '@odata.type': '#microsoft.graph.accessReviewInstanceDecisionItem',
    id: d.id,
    /** Graph's reference: the instance's id (stored documents may hold the definition's). */
    accessReviewId: d.instanceId,
    instanceId: d.instanceId,
    principal: {
      '@odata.type': IDENTITY_TYPES[d.principal.type],
      id: d.principal.id,
      displayName: d.principal.displayName,
      userPrincipalName: d.principal.userPrincipalName ?? null,
      type: d.principal.type,
    },
    principalLink: `${GRAPH}/${COLLECTIONS[d.principal.type]}/${d.principal.id}`,
    ...resourceOf(d),
    ...(isAzureRole(d.resource)
      ? {
          // Graph's (beta) decisionItemPrincipalResourceMembership: held directly, or through a group.
          principalResourceMembership: { membershipType: d.accessThroughGroup ? 'indirect' : 'direct' },
          accessThroughGroup: d.accessThroughGroup ?? null,
        }
      : {}),
    assignmentType: d.assignmentType,
    scheduleId: d.roleAssignmentId ? null : d.scheduleId,
    ...(d.roleAssignmentId ? { roleAssignmentId: d.roleAssignmentId } : {}),
    decision: d.decision,
    recommendation: d.recommendation,
    lastSignInDateTime: d.lastSignInDateTime,
    justification: d.justification,
    reviewedBy: identityView(d.reviewedBy),
    reviewedDateTime: d.reviewedDateTime,
    applyResult: d.applyResult,
    appliedBy: identityView(d.appliedBy),
    appliedDateTime: d.appliedDateTime,
  };
}
