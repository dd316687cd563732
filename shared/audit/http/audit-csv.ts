/** The audit log as CSV: one row per record, the targets and the details each in one cell. */
import { csvRow } from '../../http/csv';
import type { AuditEntry } from '../domain/audit-entry';

export const AUDIT_CSV_HEADER = [
  'id',
  'activityDateTime',
  'category',
  'activityDisplayName',
  'operationType',
  'result',
  'resultReason',
  'initiatedByUserId',
  'initiatedByUserPrincipalName',
  'initiatedByDisplayName',
  'initiatedByApp',
  'targetResources',
  'groupId',
  'principalId',
  'correlationId',
  'additionalDetails',
] as const;

export function auditCsvRow(e: AuditEntry): string {
  return csvRow([
    e.id,
    e.activityDateTime,
    e.category,
    e.activityDisplayName,
    e.operationType,
    e.result,
    e.resultReason,
    e.initiatedBy.user?.id,
    e.initiatedBy.user?.userPrincipalName,
    e.initiatedBy.user?.displayName,
    e.initiatedBy.app?.displayName,
    e.targetResources.map((t) => `${t.type}:${t.id}${t.displayName ? ` (${t.displayName})` : ''}`).join('; '),
    e.groupId,
    e.principalId,
    e.correlationId,
    e.additionalDetails.map((d) => `${d.key}=${d.value}`).join('; '),
  ]);
}

/** The export as one CSV file: header, then a row per record as `exportAudit` hands them over. */
export function auditCsvWriter(): { write(entries: readonly AuditEntry[]): void; text(): string } {
  let csv = csvRow(AUDIT_CSV_HEADER);
  return {
    write: (entries) => {
      for (const entry of entries) csv += auditCsvRow(entry);
    },
    text: () => csv,
  };
}
