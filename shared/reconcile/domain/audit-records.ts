/** The audit record of a repair the reconciler made (one per repair: the id says which). */
import { SYSTEM_ACTOR } from '../../audit/domain/audit-entry';
import type { AuditRecord } from '../../audit/domain/audit-record';

/** What a repair was about: the group, the principal when there is one, and what it correlates with. */
export interface RepairSubject {
  groupId: string;
  principalId?: string;
  correlationId: string;
  details?: Record<string, string>;
}

export function reconciledRecord(id: string, what: string, about: RepairSubject, at: Date): AuditRecord {
  return {
    id,
    activityDateTime: at,
    activityDisplayName: `Reconciled: ${what}`,
    category: 'Request',
    operationType: 'Other',
    result: 'success',
    resultReason: 'A write was not followed by its orchestration step (a crash or a lost event)',
    initiatedBy: SYSTEM_ACTOR,
    targetResources: [{ id: about.groupId, type: 'Group' }],
    groupId: about.groupId,
    ...(about.principalId ? { principalId: about.principalId } : {}),
    correlationId: about.correlationId,
    details: about.details ?? {},
  };
}
