/**
 * The audit records of drift (category Drift; ids from the report, the difference and when it was first seen).
 * A group's name its member or owner; a directory role's name the role and the scope (`groupId` = the scope, as
 * for the role's requests and schedules).
 */
import { SYSTEM_ACTOR } from '../../audit/domain/audit-entry';
import type { AuditRecord } from '../../audit/domain/audit-record';
import type { DriftItem } from './drift-report';
import type { DriftSubject } from './drift-subject';

type Base = Omit<AuditRecord, 'id' | 'activityDisplayName' | 'operationType' | 'result'>;

function base(subject: DriftSubject, item: DriftItem, runId: string, now: Date): Base {
  const isRole = subject.resourceType === 'directoryRole';
  return {
    activityDateTime: now,
    category: 'Drift',
    initiatedBy: SYSTEM_ACTOR,
    targetResources: [
      { id: subject.id, displayName: subject.displayName, type: isRole ? 'Role' : 'Group' },
      {
        id: item.principalId,
        displayName: item.principalDisplayName,
        type: item.principalType === 'user' ? 'User' : 'Principal',
      },
    ],
    groupId: isRole ? (item.directoryScopeId ?? '/') : subject.id,
    principalId: item.principalId,
    correlationId: runId,
    details: {
      driftKind: item.kind,
      accessId: item.accessId,
      ...(isRole ? { roleDefinitionId: subject.id, directoryScopeId: item.directoryScopeId } : {}),
      principalType: item.principalType,
      scheduleId: item.scheduleId,
      firstSeenDateTime: item.firstSeenDateTime,
      driftCheckId: runId,
    },
  };
}

function auditId(subject: DriftSubject, item: DriftItem, what: string): string {
  return `drift:${subject.reportKey}:${item.key}:${item.firstSeenDateTime}:${what}`;
}

/** What the difference is, as activity names say it. */
function names(subject: DriftSubject, item: DriftItem): { detected: string; remove: string } {
  if (subject.resourceType === 'directoryRole') {
    return {
      detected:
        item.kind === 'addedOutsidePim'
          ? 'Role assigned outside PIM'
          : 'Assigned role missing from directory (removed outside PIM)',
      remove: 'Remove role assignment made outside PIM',
    };
  }
  const role = item.accessId === 'owner' ? 'owner' : 'member';
  return {
    detected:
      item.kind === 'addedOutsidePim'
        ? `${capitalized(role)} added to group outside PIM`
        : `Assigned ${role} missing from group (removed outside PIM)`,
    remove: `Remove ${role} added outside PIM from group`,
  };
}

export function detectedRecord(
  subject: DriftSubject,
  item: DriftItem,
  runId: string,
  now: Date,
): AuditRecord {
  return {
    ...base(subject, item, runId, now),
    id: auditId(subject, item, 'detected'),
    activityDisplayName: names(subject, item).detected,
    operationType: 'Other',
    result: 'success',
  };
}

export function removedRecord(subject: DriftSubject, item: DriftItem, runId: string, now: Date): AuditRecord {
  return {
    ...base(subject, item, runId, now),
    id: auditId(subject, item, 'removed'),
    activityDisplayName: names(subject, item).remove,
    operationType: 'Delete',
    result: 'success',
  };
}

export function removalFailedRecord(
  subject: DriftSubject,
  item: DriftItem,
  runId: string,
  now: Date,
): AuditRecord {
  return {
    ...base(subject, item, runId, now),
    id: auditId(subject, item, `removeFailed:${runId}`),
    activityDisplayName: names(subject, item).remove,
    operationType: 'Delete',
    result: 'failure',
    resultReason: item.removal?.reason ?? 'Graph refused the removal',
  };
}

/** A removal refused to keep the last owner (groups) or the last privileged administrator (directory roles). */
export function keptRecord(subject: DriftSubject, item: DriftItem, runId: string, now: Date): AuditRecord {
  const status = item.removal?.status === 'keptAsLastAdmin' ? 'keptAsLastAdmin' : 'keptAsLastOwner';
  return {
    ...base(subject, item, runId, now),
    id: auditId(subject, item, status),
    activityDisplayName: names(subject, item).remove,
    operationType: 'Delete',
    result: 'failure',
    resultReason:
      status === 'keptAsLastAdmin'
        ? (item.removal?.reason ?? 'Not removed: the directory keeps its last privileged administrator')
        : "Not removed: it is the group's last owner",
  };
}

function capitalized(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
