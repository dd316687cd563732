/**
 * `GET driftReports` — the current drift of managed groups (see docs/api/drift.md): one report per group with at
 * least one difference, by display name; `$filter=groupId eq '...'`, `$top` (≤ 999), `$skiptoken` from
 * `@odata.nextLink`. Admins and auditors see every group; a group's active owners see their group (with the
 * filter).
 */
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { authenticate } from '../shared/http/caller';
import { pagedList } from '../shared/http/paged-list';
import { problem } from '../shared/http/problem';
import { canReadEverything } from '../shared/managed-groups/authorization';
import { authorizeGroup } from '../shared/managed-groups/http/authorize-group';
import { getAppServices } from '../shared/composition-root';
import { driftReportView } from '../shared/drift/http/drift-view';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function listDriftReports(request: HttpRequest): Promise<HttpResponseInit> {
  const services = await getAppServices();
  const auth = await authenticate(request, services.tokens);
  if (!auth.ok) return auth.response;
  return pagedList(request, {
    context: '$metadata#driftReports',
    filterFields: ['groupId'],
    async check({ filters }) {
      const groupId = filters.groupId?.toLowerCase();
      if (groupId !== undefined && !GUID.test(groupId))
        return problem(400, 'groupId must be a group id (a GUID)');
      if (canReadEverything(auth.caller)) return undefined;
      if (groupId === undefined) {
        return problem(403, "Only admins and auditors list every group's drift; owners filter by groupId");
      }
      return authorizeGroup(services, auth.caller, groupId, 'read');
    },
    load: ({ filters, top, skipToken }) =>
      services.driftReports.list({
        groupId: filters.groupId?.toLowerCase(),
        pageSize: top,
        continuationToken: skipToken,
      }),
    view: driftReportView,
  });
}

app.http('driftReportsList', {
  authLevel: 'anonymous',
  route: 'driftReports',
  methods: ['GET'],
  handler: listDriftReports,
});
