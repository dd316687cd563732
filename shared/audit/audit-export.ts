/** The audit log's export: the whole filtered range, page by page, up to a limit (ask for a narrower range). */
import type { AuditEntry } from './domain/audit-entry';
import type { AuditQuery, AuditReader } from './domain/audit-search';

/** The most rows one export holds. */
export const MAX_EXPORT_ROWS = 100_000;

export type AuditExport = { ok: true } | { ok: false; reason: 'tooManyRows'; limit: number };

/** Reads every record the query selects, handing each page to `write` (the CSV writer), newest first. */
export async function exportAudit(
  reader: AuditReader,
  query: Omit<AuditQuery, 'pageSize'>,
  write: (entries: readonly AuditEntry[]) => void,
): Promise<AuditExport> {
  let rows = 0;
  let skipToken = query.skipToken;
  do {
    const page = await reader.query({ ...query, pageSize: 1000, skipToken });
    write(page.items);
    rows += page.items.length;
    skipToken = page.skipToken;
    if (rows > MAX_EXPORT_ROWS) return { ok: false, reason: 'tooManyRows', limit: MAX_EXPORT_ROWS };
  } while (skipToken);
  return { ok: true };
}
