/**
 * The audit records of decisions and of applying them: a reviewer's decision, an apply started, one denied item's
 * removal, the apply finished. Ids are derived from what the record is about, so a retried step records once.
 */
import { SYSTEM_ACTOR, userActor, type AuditEntry } from '../../audit/domain/audit-entry';
import type { AuditRecord } from '../../audit/domain/audit-record';
import type { InstanceFacts } from './audit-records';
import type { ApplyResult, ReviewDecision } from './review-decision';
import type { ReviewInstance } from './review-instance';
import { isRoleAtScope, reviewedRoleLabel, reviewedTarget } from './reviewed-role';

/** An admin who applied decisions, or nobody (auto-apply). */
type Admin = { id: string; displayName: string | null; userPrincipalName?: string | null } | null;

function adminOrSystem(admin: Admin | undefined): AuditEntry['initiatedBy'] {
  return admin ? userActor(admin.id, admin.displayName, admin.userPrincipalName) : SYSTEM_ACTOR;
}

/** What an item reviews, as the instance names it (a directory role's name is the item's resource name). */
function itemRole(item: ReviewDecision) {
  const r = item.resource;
  return {
    resourceType: r.resourceType,
    groupId: r.groupId,
    accessId: r.accessId,
    groupDisplayName: isRoleAtScope(r) ? (r.scopeDisplayName ?? null) : r.displayName,
    roleDisplayName: isRoleAtScope(r) ? r.displayName : undefined,
  };
}

/** "member of group", "the Application Administrator role": what the records' names say is reviewed. */
function named(r: Parameters<typeof reviewedTarget>[0]): string {
  return isRoleAtScope(r) ? reviewedRoleLabel(r) : `${r.accessId} of group`;
}

function itemTargets(item: ReviewDecision): AuditRecord['targetResources'] {
  return [
    reviewedTarget(itemRole(item)),
    { id: item.principal.id, displayName: item.principal.displayName, type: 'Principal' },
  ];
}

/** One reviewer's decision, one record per write (the item's new ETag names it). */
export function decisionRecordedRecord(
  doc: ReviewDecision & { _etag: string },
  reviewer: { id: string; displayName: string | null; userPrincipalName?: string | null },
  decision: 'Approve' | 'Deny' | 'DontKnow',
  justification: string | null,
  now: Date,
): AuditRecord {
  return {
    id: `review-decision:${doc.id}:${doc._etag.replace(/"/g, '')}`,
    activityDateTime: now,
    activityDisplayName: `Access review decision: ${decision} (${named(itemRole(doc))})`,
    category: 'AccessReview',
    operationType: decision === 'Deny' ? 'Deny' : decision === 'Approve' ? 'Approve' : 'Update',
    result: 'success',
    initiatedBy: userActor(reviewer.id, reviewer.displayName, reviewer.userPrincipalName),
    targetResources: itemTargets(doc),
    groupId: doc.resource.groupId,
    principalId: doc.principal.id,
    correlationId: doc.instanceId,
    details: {
      definitionId: doc.definitionId,
      instanceId: doc.instanceId,
      decisionId: doc.id,
      scheduleId: doc.scheduleId,
      decision,
      justification: justification ?? undefined,
    },
  };
}

function applyRecord(
  instance: InstanceFacts & Pick<ReviewInstance, 'accessId'>,
  what: 'started' | 'applied',
  appliedBy: Admin | undefined,
  details: Record<string, string>,
  now: Date,
): AuditRecord {
  return {
    id: `review-apply:${instance.id}:${what}`,
    activityDateTime: now,
    activityDisplayName:
      what === 'started'
        ? `Access review apply started (${named(instance)})`
        : `Access review decisions applied (${named(instance)})`,
    category: 'AccessReview',
    operationType: 'Update',
    result: 'success',
    initiatedBy: adminOrSystem(appliedBy),
    targetResources: [reviewedTarget(instance)],
    groupId: instance.groupId,
    principalId: null,
    correlationId: instance.id,
    details: { definitionId: instance.definitionId, instanceId: instance.id, ...details },
  };
}

export function applyStartedRecord(
  instance: InstanceFacts & Pick<ReviewInstance, 'accessId'>,
  appliedBy: Admin | undefined,
  now: Date,
): AuditRecord {
  return applyRecord(
    instance,
    'started',
    appliedBy,
    { mode: appliedBy ? 'applyDecisions' : 'autoApply' },
    now,
  );
}

export function applyFinishedRecord(
  instance: InstanceFacts & Pick<ReviewInstance, 'accessId'>,
  appliedBy: Admin | undefined,
  now: Date,
): AuditRecord {
  return applyRecord(instance, 'applied', appliedBy, {}, now);
}

/** One denied item's removal, as recorded on the item (its applyResult), with why. */
export function itemAppliedRecord(
  item: ReviewDecision,
  outcome: { result: ApplyResult; reason: string },
  appliedBy: Admin,
  at: Date,
): AuditRecord {
  const failed = item.applyResult === 'AppliedWithUnknownFailure';
  // Access through a group (Azure roles): not removed, left to an admin.
  const leftToAdmin = item.applyResult === 'ApplyNotSupported';
  return {
    id: `review-apply:${item.id}`,
    activityDateTime: at,
    activityDisplayName: leftToAdmin
      ? `Access review apply needs an admin: ${removal(item)} through group ${item.accessThroughGroup?.displayName ?? item.accessThroughGroup?.id ?? ''} (Deny)`
      : failed
        ? `Access review apply failed: remove ${removal(item)} (Deny)`
        : `Access review applied: remove ${item.assignmentType === 'eligible' ? 'eligible ' : ''}${removal(item)} (Deny)`,
    category: 'AccessReview',
    operationType: 'Unassign',
    result: failed || leftToAdmin ? 'failure' : 'success',
    resultReason: outcome.reason,
    initiatedBy: adminOrSystem(appliedBy),
    targetResources: itemTargets(item),
    groupId: item.resource.groupId,
    principalId: item.principal.id,
    correlationId: item.instanceId,
    details: {
      definitionId: item.definitionId,
      instanceId: item.instanceId,
      decisionId: item.id,
      ...(item.accessThroughGroup ? { accessThroughGroup: item.accessThroughGroup.id } : {}),
      ...(item.roleAssignmentId
        ? { roleAssignmentId: item.roleAssignmentId }
        : { scheduleId: item.scheduleId }),
      applyResult: item.applyResult,
    },
  };
}

/** "member from group", "the Application Administrator role assignment". */
function removal(item: ReviewDecision): string {
  const role = itemRole(item);
  return isRoleAtScope(role) ? `${reviewedRoleLabel(role)} assignment` : `${role.accessId} from group`;
}
