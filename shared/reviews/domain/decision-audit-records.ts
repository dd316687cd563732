/**
 * The audit records of decisions and of applying them: a reviewer's decision, an apply started, one denied item's
 * removal, the apply finished. Ids are derived from what the record is about, so a retried step records once.
 */
import { SYSTEM_ACTOR, userActor, type AuditEntry } from '../../audit/domain/audit-entry';
import type { AuditRecord } from '../../audit/domain/audit-record';
import type { InstanceFacts } from './audit-records';
import type { ApplyResult, ReviewDecision } from './review-decision';
import type { ReviewInstance } from './review-instance';

/** An admin who applied decisions, or nobody (auto-apply). */
type Admin = { id: string; displayName: string | null; userPrincipalName?: string | null } | null;

function adminOrSystem(admin: Admin | undefined): AuditEntry['initiatedBy'] {
  return admin ? userActor(admin.id, admin.displayName, admin.userPrincipalName) : SYSTEM_ACTOR;
}

function itemTargets(item: ReviewDecision): AuditRecord['targetResources'] {
  return [
    { id: item.resource.groupId, displayName: item.resource.displayName, type: 'Group' },
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
    activityDisplayName: `Access review decision: ${decision} (${doc.resource.accessId} of group)`,
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
        ? `Access review apply started (${instance.accessId} of group)`
        : `Access review decisions applied (${instance.accessId} of group)`,
    category: 'AccessReview',
    operationType: 'Update',
    result: 'success',
    initiatedBy: adminOrSystem(appliedBy),
    targetResources: [{ id: instance.groupId, displayName: instance.groupDisplayName, type: 'Group' }],
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
  return {
    id: `review-apply:${item.id}`,
    activityDateTime: at,
    activityDisplayName: failed
      ? `Access review apply failed: remove ${item.resource.accessId} from group (Deny)`
      : `Access review applied: remove ${item.assignmentType === 'eligible' ? 'eligible ' : ''}${item.resource.accessId} from group (Deny)`,
    category: 'AccessReview',
    operationType: 'Unassign',
    result: failed ? 'failure' : 'success',
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
      scheduleId: item.scheduleId,
      applyResult: item.applyResult,
    },
  };
}
