/**
 * `GET driftReports` — the current drift of managed groups (see docs/api/drift.md): one report per group with at
 * least one difference, by display name; `$filter=groupId eq '...'`, `$top` (≤ 999), `$skiptoken` from
 * `@odata.nextLink`. Admins and auditors see every group; a group's active owners see their group (with the
 * filter).
 */
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { authenticate } from '../shared/http/caller';
import { collection, nextLink } from '../shared/http/odata';
import { parseListRequest } from '../shared/http/odata-query';
import { problem } from '../shared/http/problem';
import { authorizeGroup, canReadEverything } from '../shared/managed-groups/authorization';
import { getAppServices } from '../shared/composition-root';
import { driftReportView } from '../shared/drift/http/drift-view';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function listDriftReports(request: HttpRequest): Promise<HttpResponseInit> {
  const services = await getAppServices();
  const auth = await authenticate(request, services.tokens);
  if (!auth.ok) return auth.response;
  const parsed = parseListRequest(request, ['groupId']);
  if (!parsed.ok) return parsed.response;
  const { filters, top, skipToken } = parsed.query;
  const groupId = filters.groupId?.toLowerCase();
  if (groupId !== undefined && !GUID.test(groupId))
    return problem(400, 'groupId must be a group id (a GUID)');
  if (!canReadEverything(auth.caller)) {
    if (groupId === undefined) {
      return problem(403, "Only admins and auditors list every group's drift; owners filter by groupId");
    }
    const denied = await authorizeGroup(services, auth.caller, groupId, 'read');
    if (denied) return denied;
  }
  let page;
  try {
    page = await services.driftReports.list({ groupId, pageSize: top, continuationToken: skipToken });
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    if (skipToken !== undefined && (code === 400 || code === '400')) {
      return problem(400, '$skiptoken is not one this API issued');
    }
    throw err;
  }
  return {
    jsonBody: collection(
      '$metadata#driftReports',
      page.items.map(driftReportView),
      nextLink(request, page.continuationToken),
    ),
  };
}

app.http('driftReportsList', {
  authLevel: 'anonymous',
  route: 'driftReports',
  methods: ['GET'],
  handler: listDriftReports,
});
