/** Reading the audit log: the query (a time range, equality filters, a page) and the port that answers it. */
import type { AuditEntry } from './audit-entry';

export interface AuditQuery {
  from: Date;
  to: Date;
  category?: AuditEntry['category'];
  groupId?: string;
  principalId?: string;
  initiatedById?: string;
  correlationId?: string;
  result?: AuditEntry['result'];
  pageSize?: number;
  /** Opaque: which month to continue in, and Cosmos's token within it. */
  skipToken?: string;
}

export interface AuditPage {
  items: AuditEntry[];
  skipToken?: string;
}

/** Newest first; the Cosmos `AuditLog` implements it. */
export interface AuditReader {
  query(q: AuditQuery): Promise<AuditPage>;
}

/** A skipToken the reader did not issue. */
export class InvalidSkipTokenError extends Error {}
