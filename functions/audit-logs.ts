/**
 * `GET auditLogs/directoryAudits` and `GET auditLogs` (admins and auditors): the audit log, newest first, filtered
 * and paged like Graph's directoryAudits, or the whole filtered range as a CSV file (`Accept: text/csv` or
 * `$format=csv`). See shared/audit/http/audit-query.ts for the filters.
 */
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { exportAudit } from '../shared/audit/audit-export';
import { InvalidSkipTokenError } from '../shared/audit/domain/audit-search';
import {
  auditNextLink,
  parseAuditListRequest,
  type AuditListRequest,
} from '../shared/audit/http/audit-query';
import { auditCsvWriter } from '../shared/audit/http/audit-csv';
import { directoryAuditView } from '../shared/audit/http/audit-view';
import { APP_ROLES } from '../shared/auth/principal';
import { authenticate } from '../shared/http/caller';
import { csvFile } from '../shared/http/csv';
import { collection, ODataError } from '../shared/http/odata';
import { collectionContext } from '../shared/http/odata-shape';
import { problem } from '../shared/http/problem';
import { getAppServices } from '../shared/composition-root';

const day = (d: Date) => d.toISOString().slice(0, 10).replace(/-/g, '');

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
      const csv = auditCsvWriter();
      const exported = await exportAudit(services.audit, { ...q.query, skipToken: q.skipToken }, csv.write);
      if (!exported.ok) {
        return problem(
          400,
          `The export would hold more than ${exported.limit} rows: narrow the range or filter`,
        );
      }
      return csvFile(`pimflow-audit-${day(q.query.from)}-${day(q.query.to)}.csv`, csv.text());
    }
    const page = await services.audit.query({ ...q.query, pageSize: q.top, skipToken: q.skipToken });
    return {
      jsonBody: collection(
        collectionContext(request, 'auditLogs/directoryAudits'),
        page.items.map(directoryAuditView),
        auditNextLink(request, q, page.skipToken),
      ),
    };
  } catch (err) {
    const storageRefused = q.skipToken !== undefined && (err as { code?: unknown } | null)?.code === 400;
    if (err instanceof InvalidSkipTokenError || storageRefused) {
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
