import type { AuditEntry } from '../domain/audit-entry';

/** The API's view of a record: Graph's directoryAudit, plus pimflow's groupId and principalId. */
export function directoryAuditView(e: AuditEntry): Record<string, unknown> {
  return {
    id: e.id,
    category: e.category,
    correlationId: e.correlationId,
    result: e.result,
    resultReason: e.resultReason,
    activityDisplayName: e.activityDisplayName,
    activityDateTime: e.activityDateTime,
    loggedByService: 'pimflow',
    operationType: e.operationType,
    initiatedBy: e.initiatedBy,
    targetResources: e.targetResources,
    additionalDetails: e.additionalDetails,
    groupId: e.groupId,
    principalId: e.principalId,
  };
}
