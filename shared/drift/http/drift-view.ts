/** The API's view of a group's drift report (`GET driftReports`). */
import type { DriftReport } from '../domain/drift-report';

export function driftReportView(report: DriftReport): Record<string, unknown> {
  return {
    id: report.groupId,
    groupId: report.groupId,
    displayName: report.displayName,
    lastCheckedDateTime: report.lastCheckedDateTime,
    lastDriftCheckId: report.lastRunId,
    differences: report.differences.map((d) => ({
      id: d.key,
      kind: d.kind,
      accessId: d.accessId,
      principalId: d.principalId,
      principalType: d.principalType,
      principalDisplayName: d.principalDisplayName,
      scheduleId: d.scheduleId,
      firstSeenDateTime: d.firstSeenDateTime,
      lastSeenDateTime: d.lastSeenDateTime,
      removal: d.removal
        ? { status: d.removal.status, dateTime: d.removal.dateTime, reason: d.removal.reason }
        : null,
    })),
  };
}
