/**
 * The API's view of a drift report (`GET driftReports`): a group's as it always was; a directory role's names the
 * role (`resourceType`, `roleDefinitionId`, `displayName` the role's) and each difference's `directoryScopeId`.
 */
import type { DriftItem, DriftReport } from '../domain/drift-report';

export function driftReportView(report: DriftReport): Record<string, unknown> {
  const isRole = report.resourceType === 'directoryRole';
  return {
    id: report.groupId,
    ...(isRole ? { resourceType: report.resourceType, roleDefinitionId: report.roleDefinitionId } : {}),
    groupId: report.groupId,
    displayName: report.displayName,
    lastCheckedDateTime: report.lastCheckedDateTime,
    lastDriftCheckId: report.lastRunId,
    differences: report.differences.map((d) => differenceView(d, isRole)),
  };
}

function differenceView(d: DriftItem, isRole: boolean): Record<string, unknown> {
  return {
    id: d.key,
    kind: d.kind,
    accessId: d.accessId,
    ...(isRole ? { directoryScopeId: d.directoryScopeId ?? '/' } : {}),
    principalId: d.principalId,
    principalType: d.principalType,
    principalDisplayName: d.principalDisplayName,
    scheduleId: d.scheduleId,
    firstSeenDateTime: d.firstSeenDateTime,
    lastSeenDateTime: d.lastSeenDateTime,
    removal: d.removal
      ? { status: d.removal.status, dateTime: d.removal.dateTime, reason: d.removal.reason }
      : null,
  };
}
