/** An instance's results as CSV (GET .../decisions with `Accept: text/csv` or `$format=csv`): one row per item. */
import { csvRow } from '../../http/csv';
import type { ReviewDecision } from '../domain/review-decision';

export const DECISIONS_CSV_HEADER = [
  'principal',
  'principalType',
  'userPrincipalName',
  'principalId',
  'resource',
  'accessId',
  'assignmentType',
  'recommendation',
  'lastSignInDateTime',
  'decision',
  'justification',
  'reviewedBy',
  'reviewedDateTime',
  'applyResult',
  'appliedDateTime',
] as const;

export function decisionCsvRow(d: ReviewDecision): string {
  return csvRow([
    d.principal.displayName ?? d.principal.id,
    d.principal.type,
    d.principal.userPrincipalName ?? '',
    d.principal.id,
    d.resource.displayName ?? d.resource.groupId,
    d.resource.accessId,
    d.assignmentType,
    d.recommendation,
    d.lastSignInDateTime ?? '',
    d.decision,
    d.justification ?? '',
    d.reviewedBy ? (d.reviewedBy.userPrincipalName ?? d.reviewedBy.displayName ?? d.reviewedBy.id) : '',
    d.reviewedDateTime ?? '',
    d.applyResult,
    d.appliedDateTime ?? '',
  ]);
}
