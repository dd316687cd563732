/**
 * The access reviews' audit records, one builder per event: a definition created, changed or deleted; a series
 * completed or stopped; an instance started, closed, given its results, stopped by an admin, its reviewers changed
 * or its decisions reset (decisions and applying them: decision-audit-records.ts). Ids are derived from what the
 * record is about, so a retried step records once.
 */
import { SYSTEM_ACTOR, userActor, type AuditEntry } from '../../audit/domain/audit-entry';
import type { AuditRecord } from '../../audit/domain/audit-record';
import type { CallerPrincipal } from '../../auth/principal';
import { seriesRecurrence, type ReviewDefinition } from './review-definition';
import type { ReviewInstance } from './review-instance';
import { reviewedTarget, storedRole } from './reviewed-role';

export type Caller = Pick<CallerPrincipal, 'objectId' | 'displayName' | 'userPrincipalName'>;
type Actor = AuditEntry['initiatedBy'];

export function callerActor(caller: Caller): Actor {
  return userActor(caller.objectId, caller.displayName, caller.userPrincipalName);
}

// ---------------------------------------------------------------------------------------------------------------
// Definitions and series

function definitionTargets(d: ReviewDefinition): AuditRecord['targetResources'] {
  return [
    { id: d.id, displayName: d.displayName, type: 'Policy' as const },
    ...d.scope.roles.map(storedRole).map((r) =>
      r.resourceType === 'directoryRole' || r.resourceType === 'azureRole'
        ? {
            id: r.accessId,
            displayName: r.resourceType === 'azureRole' ? `Azure role at ${r.groupId}` : 'directory role',
            type: 'Role' as const,
          }
        : { id: r.groupId, displayName: `${r.accessId} role`, type: 'Group' as const },
    ),
  ];
}

/** What an admin did to a definition: one record per change, its id from the definition and what happened. */
function definitionRecord(
  d: ReviewDefinition,
  caller: Caller,
  now: Date,
  what: string,
  activityDisplayName: string,
  operationType: AuditRecord['operationType'],
  details: AuditRecord['details'],
): AuditRecord {
  return {
    id: `review-definition:${d.id}:${what}`,
    activityDateTime: now,
    activityDisplayName,
    category: 'AccessReview',
    operationType,
    result: 'success',
    initiatedBy: callerActor(caller),
    targetResources: definitionTargets(d),
    correlationId: d.id,
    details,
  };
}

function recurrenceText(recurrence: ReviewDefinition['settings']['recurrence']): string {
  const r = seriesRecurrence(recurrence);
  if (r) return `${r.pattern.type} every ${r.pattern.interval}, ${r.range.type} from ${r.range.startDate}`;
  return recurrence ? `one time from ${recurrence.range.startDate}` : 'one time';
}

export function definitionCreatedRecord(d: ReviewDefinition, caller: Caller, now: Date): AuditRecord {
  return definitionRecord(d, caller, now, 'created', 'Create access review', 'Add', {
    definitionId: d.id,
    displayName: d.displayName,
    roles: d.scope.roles
      .map(storedRole)
      .map((r) => `${r.groupId}${r.groupId.endsWith('/') ? '' : '/'}${r.accessId}`)
      .join(', '),
    recurrence: recurrenceText(d.settings.recurrence),
    instanceDurationInDays: String(d.settings.instanceDurationInDays),
  });
}

/** `changes`: per changed property, its summarized value before and after. */
export function definitionUpdatedRecord(
  d: ReviewDefinition & { _etag: string },
  changes: { key: string; before: string; after: string }[],
  caller: Caller,
  now: Date,
): AuditRecord {
  return definitionRecord(d, caller, now, `updated:${d._etag}`, 'Update access review', 'Update', {
    definitionId: d.id,
    changed: changes.map((c) => c.key).join(', '),
    ...Object.fromEntries(
      changes.flatMap((c) => [
        [`old.${c.key}`, c.before],
        [`new.${c.key}`, c.after],
      ]),
    ),
  });
}

export function definitionDeletedRecord(
  d: ReviewDefinition,
  deleted: { instances: number; decisions: number },
  caller: Caller,
  now: Date,
): AuditRecord {
  return definitionRecord(d, caller, now, 'deleted', 'Delete access review', 'Delete', {
    definitionId: d.id,
    displayName: d.displayName,
    status: d.status,
    instancesDeleted: String(deleted.instances),
    decisionsDeleted: String(deleted.decisions),
  });
}

function seriesRecord(
  d: Pick<ReviewDefinition, 'id' | 'displayName'>,
  what: 'completed' | 'stopped',
  initiatedBy: Actor,
  details: Record<string, string>,
  now: Date,
): AuditRecord {
  return {
    id: `review-series:${d.id}:${what}`,
    activityDateTime: now,
    activityDisplayName: `Access review series ${what}`,
    category: 'AccessReview',
    operationType: 'Update',
    result: 'success',
    initiatedBy,
    targetResources: [{ id: d.id, displayName: d.displayName, type: 'Policy' }],
    correlationId: d.id,
    details: { definitionId: d.id, ...details },
  };
}

/** The series ran its last occurrence. */
export function seriesCompletedRecord(
  d: Pick<ReviewDefinition, 'id' | 'displayName'>,
  now: Date,
): AuditRecord {
  return seriesRecord(d, 'completed', SYSTEM_ACTOR, {}, now);
}

/** An admin stopped the series (and its running instances). */
export function seriesStoppedRecord(
  d: Pick<ReviewDefinition, 'id' | 'displayName'>,
  stoppedInstances: number,
  caller: Caller,
  now: Date,
): AuditRecord {
  return seriesRecord(d, 'stopped', callerActor(caller), { stoppedInstances: String(stoppedInstances) }, now);
}

// ---------------------------------------------------------------------------------------------------------------
// Instances

export type InstanceFacts = Pick<
  ReviewInstance,
  'id' | 'definitionId' | 'groupId' | 'accessId' | 'groupDisplayName' | 'resourceType' | 'roleDisplayName'
>;

function instanceRecord(
  instance: InstanceFacts,
  id: string,
  name: string,
  initiatedBy: Actor,
  details: Record<string, string | null>,
  now: Date,
): AuditRecord {
  return {
    id: `review-instance:${instance.id}:${id}`,
    activityDateTime: now,
    activityDisplayName: name,
    category: 'AccessReview',
    operationType: 'Update',
    result: 'success',
    initiatedBy,
    targetResources: [reviewedTarget(instance)],
    groupId: instance.groupId,
    correlationId: instance.id,
    details: { definitionId: instance.definitionId, instanceId: instance.id, ...details },
  };
}

/** The instance went InProgress with its snapshot of `items`. */
export function instanceStartedRecord(instance: InstanceFacts, items: number, now: Date): AuditRecord {
  return instanceRecord(
    instance,
    'started',
    'Access review started',
    SYSTEM_ACTOR,
    { items: String(items) },
    now,
  );
}

/** The instance closed: at its end, or stopped. */
export function instanceClosedRecord(
  instance: InstanceFacts & Pick<ReviewInstance, 'stoppedBy'>,
  now: Date,
): AuditRecord {
  return instanceRecord(
    instance,
    'completed',
    instance.stoppedBy ? 'Access review stopped' : 'Access review completed',
    SYSTEM_ACTOR,
    { stoppedBy: instance.stoppedBy?.id ?? null },
    now,
  );
}

export function instanceResultsRecord(
  instance: InstanceFacts,
  counts: { approved: number; denied: number; dontKnow: number; notReviewed: number; defaulted: number },
  recipients: readonly string[],
  now: Date,
): AuditRecord {
  return instanceRecord(
    instance,
    'results',
    'Access review results',
    SYSTEM_ACTOR,
    {
      approved: String(counts.approved),
      denied: String(counts.denied),
      dontKnow: String(counts.dontKnow),
      notReviewed: String(counts.notReviewed),
      defaulted: String(counts.defaulted),
      recipients: recipients.join(','),
    },
    now,
  );
}

export function instanceStopRequestedRecord(instance: InstanceFacts, caller: Caller, now: Date): AuditRecord {
  return instanceRecord(
    instance,
    'stop-requested',
    'Access review stop requested',
    callerActor(caller),
    {},
    now,
  );
}

/** `version`: the instance's ETag after the change (one record per change). */
export function reviewersChangedRecord(
  instance: InstanceFacts & Pick<ReviewInstance, 'reviewers' | 'fallbackReviewers'>,
  version: string,
  itemsChanged: number,
  caller: Caller,
  now: Date,
): AuditRecord {
  return instanceRecord(
    instance,
    `reviewers:${version.replace(/"/g, '')}`,
    'Access review reviewers changed (current instance)',
    callerActor(caller),
    {
      reviewers: instance.reviewers.map((x) => x.query).join(' ') || '(self)',
      fallbackReviewers: instance.fallbackReviewers.map((x) => x.query).join(' '),
      itemsChanged: String(itemsChanged),
    },
    now,
  );
}

/** `resetId`: unique per reset (a reset can be repeated). */
export function decisionsResetRecord(
  instance: InstanceFacts,
  resetId: string,
  itemsReset: number,
  caller: Caller,
  now: Date,
): AuditRecord {
  return instanceRecord(
    instance,
    `reset:${resetId}`,
    'Access review decisions reset',
    callerActor(caller),
    { itemsReset: String(itemsReset) },
    now,
  );
}

/** The admins were mailed the denials an apply left to them (access through a group, Azure roles). */
export function leftToAdminsRecord(
  instance: InstanceFacts,
  items: readonly { id: string; principalId: string; groupId: string }[],
  recipients: readonly string[],
  now: Date,
): AuditRecord {
  return instanceRecord(
    instance,
    'left-to-admins',
    'Access review denials left to the admins',
    SYSTEM_ACTOR,
    {
      items: String(items.length),
      decisionIds: items.map((i) => i.id).join(','),
      principals: items.map((i) => `${i.principalId} via ${i.groupId}`).join(','),
      recipients: recipients.join(','),
    },
    now,
  );
}
