/**
 * What a feature hands the audit log: an `AuditEntry` before storage fills in the month, defaults the empty fields
 * and turns `details` into `additionalDetails`. Features build these with small named builders
 * (`<feature>/domain/audit-records.ts`) and write them through an `AuditWriter`.
 */
import type { AuditEntry } from './audit-entry';

export type AuditRecord = Omit<
  AuditEntry,
  | 'month'
  | 'activityDateTime'
  | 'resultReason'
  | 'correlationId'
  | 'groupId'
  | 'principalId'
  | 'additionalDetails'
> & {
  activityDateTime: Date;
  resultReason?: string;
  correlationId?: string | null;
  groupId?: string | null;
  principalId?: string | null;
  details?: Record<string, string | null | undefined>;
};

/** The port services write audit records through (the Cosmos `AuditLog` implements it). */
export interface AuditWriter {
  record(entry: AuditRecord): Promise<void>;
}
