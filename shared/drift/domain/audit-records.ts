/** The audit records of drift (category Drift; ids from the group, the difference and when it was first seen). */
import { SYSTEM_ACTOR } from '../../audit/domain/audit-entry';
import type { AuditRecord } from '../../audit/domain/audit-record';
import type { ManagedGroup } from '../../managed-groups/domain/managed-group';
import type { DriftItem } from './drift-report';

const ROLE_NAME = { member: 'member', owner: 'owner' } as const;

function base(
  group: ManagedGroup,
  item: DriftItem,
  runId: string,
  now: Date,
): Omit<AuditRecord, 'id' | 'activityDisplayName' | 'operationType' | 'result'> {
  return {
    activityDateTime: now,
    category: 'Drift',
    initiatedBy: SYSTEM_ACTOR,
    targetResources: [
      { id: group.groupId, displayName: group.displayName, type: 'Group' },
      {
        id: item.principalId,
        displayName: item.principalDisplayName,
        type: item.principalType === 'user' ? 'User' : 'Principal',
      },
    ],
    groupId: group.groupId,
    principalId: item.principalId,
    correlationId: runId,
    details: {
      driftKind: item.kind,
      accessId: item.accessId,
      principalType: item.principalType,
      scheduleId: item.scheduleId,
      firstSeenDateTime: item.firstSeenDateTime,
      driftCheckId: runId,
    },
  };
}

function auditId(group: ManagedGroup, item: DriftItem, what: string): string {
  return `drift:${group.groupId}:${item.key}:${item.firstSeenDateTime}:${what}`;
}

export function detectedRecord(group: ManagedGroup, item: DriftItem, runId: string, now: Date): AuditRecord {
  const role = ROLE_NAME[item.accessId];
  return {
    ...base(group, item, runId, now),
    id: auditId(group, item, 'detected'),
    activityDisplayName:
      item.kind === 'addedOutsidePim'
        ? `${capitalized(role)} added to group outside PIM`
        : `Assigned ${role} missing from group (removed outside PIM)`,
    operationType: 'Other',
    result: 'success',
  };
}

export function removedRecord(group: ManagedGroup, item: DriftItem, runId: string, now: Date): AuditRecord {
  return {
    ...base(group, item, runId, now),
    id: auditId(group, item, 'removed'),
    activityDisplayName: `Remove ${ROLE_NAME[item.accessId]} added outside PIM from group`,
    operationType: 'Delete',
    result: 'success',
  };
}

export function removalFailedRecord(
  group: ManagedGroup,
  item: DriftItem,
  runId: string,
  now: Date,
): AuditRecord {
  return {
    ...base(group, item, runId, now),
    id: auditId(group, item, `removeFailed:${runId}`),
    activityDisplayName: `Remove ${ROLE_NAME[item.accessId]} added outside PIM from group`,
    operationType: 'Delete',
    result: 'failure',
    resultReason: item.removal?.reason ?? 'Graph refused the removal',
  };
}

export function keptRecord(group: ManagedGroup, item: DriftItem, runId: string, now: Date): AuditRecord {
  return {
    ...base(group, item, runId, now),
    id: auditId(group, item, 'keptAsLastOwner'),
    activityDisplayName: 'Remove owner added outside PIM from group',
    operationType: 'Delete',
    result: 'failure',
    resultReason: "Not removed: it is the group's last owner",
  };
}

function capitalized(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
