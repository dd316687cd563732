/**
 * `GET auditLogs/directoryAudits` and `GET auditLogs` (admins and auditors): the audit log, newest first, filtered
 * and paged like Graph's directoryAudits, or the whole filtered range as a CSV file (`Accept: text/csv` or
 * `$format=csv`). See shared/audit/http/audit-query.ts for the filters.
 */
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { InvalidSkipTokenError } from '../shared/audit/adapters/audit-log';
import { APP_ROLES } from '../shared/auth/principal';
import { authenticate } from '../shared/http/caller';
import { problem } from '../shared/http/problem';
import {
  AUDIT_CSV_HEADER,
  auditCsvRow,
  auditNextLink,
  directoryAuditView,
  parseAuditListRequest,
  type AuditListRequest,
} from '../shared/audit/http/audit-query';
import { csvRow } from '../shared/http/csv';
import { collection, ODataError } from '../shared/http/odata';
import { getAppServices } from '../shared/composition-root';

/** The most rows one export holds; ask for a narrower range for more. */
const MAX_EXPORT_ROWS = 100_000;

export async function listAuditLogs(request: HttpRequest): Promise<HttpResponseInit> {
  const services = await getAppServices();
  const auth = await authenticate(request, services.tokens, [APP_ROLES.admin, APP_ROLES.auditor]);
  if (!auth.ok) return auth.response;
  let q: AuditListRequest;
  try {
    q = parseAuditListRequest(request, services.clock.now());
  } catch (err) {
    if (err instanceof ODataError) return problem(400, err.message);
    throw err;
  }
  try {
    if (q.csv) {
      let body = csvRow(AUDIT_CSV_HEADER);
      let rows = 0;
      let skipToken = q.skipToken;
      do {
        const page = await services.audit.query({ ...q.query, pageSize: 1000, skipToken });
        for (const entry of page.items) body += auditCsvRow(entry);
        rows += page.items.length;
        skipToken = page.skipToken;
        if (rows > MAX_EXPORT_ROWS) {
          return problem(
            400,
            `The export would hold more than ${MAX_EXPORT_ROWS} rows: narrow the range or filter`,
          );
        }
      } while (skipToken);
      const day = (d: Date) => d.toISOString().slice(0, 10).replace(/-/g, '');
      return {
        status: 200,
        headers: {
          'content-type': 'text/csv; charset=utf-8; header=present',
          'content-disposition': `attachment; filename="pimflow-audit-${day(q.query.from)}-${day(q.query.to)}.csv"`,
        },
        body,
      };
    }
    const page = await services.audit.query({ ...q.query, pageSize: q.top, skipToken: q.skipToken });
    return {
      jsonBody: collection(
        '$metadata#auditLogs/directoryAudits',
        page.items.map(directoryAuditView),
        auditNextLink(request, q, page.skipToken),
      ),
    };
  } catch (err) {
    if (err instanceof InvalidSkipTokenError) return problem(400, '$skiptoken is not one this API issued');
    if (q.skipToken !== undefined && (err as { code?: unknown } | null)?.code === 400) {
      return problem(400, '$skiptoken is not one this API issued');
    }
    throw err;
  }
}

const anon = { authLevel: 'anonymous' as const };
app.http('auditLogsDirectoryAudits', {
  ...anon,
  route: 'auditLogs/directoryAudits',
  methods: ['GET'],
  handler: listAuditLogs,
});
app.http('auditLogs', { ...anon, route: 'auditLogs', methods: ['GET'], handler: listAuditLogs });
