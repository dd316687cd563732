/**
 * The audit record of something stored state doesn't back (a forged orchestration input or event, a grant or an
 * extension the request doesn't allow): once per request and what was refused (the id is derived from them).
 */
import { createHash } from 'node:crypto';
import { SYSTEM_ACTOR } from '../../audit/domain/audit-entry';
import type { AuditRecord } from '../../audit/domain/audit-record';

export function refusalRecord(
  ref: { requestId: string; groupId: string },
  what: string,
  reason: string,
  o: { principalId: string | null; details?: Record<string, string | null>; at: Date },
): AuditRecord {
  const details = o.details ?? {};
  const key = createHash('sha256')
    .update(JSON.stringify([what, details]))
    .digest('base64url')
    .slice(0, 16);
  return {
    id: `${ref.requestId}:refused:${key}`,
    activityDateTime: o.at,
    activityDisplayName: `Refused: ${what} (PIM)`,
    category: 'Request',
    operationType: 'Other',
    result: 'failure',
    resultReason: reason,
    initiatedBy: SYSTEM_ACTOR,
    targetResources: [
      { id: ref.requestId, type: 'Request' },
      { id: ref.groupId, type: 'Group' },
    ],
    groupId: ref.groupId,
    ...(o.principalId ? { principalId: o.principalId } : {}),
    correlationId: ref.requestId,
    details,
  };
}
