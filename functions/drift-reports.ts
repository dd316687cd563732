/**
 * `GET driftReports` — the current drift of managed groups and managed directory roles (see docs/api/drift.md):
 * one report per group or role with at least one difference, by display name; `$filter=groupId eq '...'` or
 * `$filter=roleDefinitionId eq '...'`, `$top` (≤ 999), `$skiptoken` from `@odata.nextLink`. Admins and auditors
 * see every report; a group's active owners see their group (with the filter).
 */
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { authenticate } from '../shared/http/caller';
import { pagedList } from '../shared/http/paged-list';
import { problem } from '../shared/http/problem';
import { canReadEverything } from '../shared/managed-groups/authorization';
import { authorizeGroup } from '../shared/managed-groups/http/authorize-group';
import { getAppServices } from '../shared/composition-root';
import { roleReportKey } from '../shared/drift/domain/drift-subject';
import { driftReportView } from '../shared/drift/http/drift-view';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function listDriftReports(request: HttpRequest): Promise<HttpResponseInit> {
  const services = await getAppServices();
  const auth = await authenticate(request, services.tokens);
  if (!auth.ok) return auth.response;
  /** The one report asked for: a group's id, or a role's report key. */
  const reportKey = (filters: Record<string, string>) =>
    filters.roleDefinitionId !== undefined
      ? roleReportKey(filters.roleDefinitionId)
      : filters.groupId?.toLowerCase();
  return pagedList(request, {
    context: '$metadata#driftReports',
    filterFields: ['groupId', 'roleDefinitionId'],
    async check({ filters }) {
      const { groupId, roleDefinitionId } = filters;
      if (groupId !== undefined && roleDefinitionId !== undefined)
        return problem(400, 'Filter by groupId or by roleDefinitionId, not both');
      if (groupId !== undefined && !GUID.test(groupId))
        return problem(400, 'groupId must be a group id (a GUID)');
      if (roleDefinitionId !== undefined && !GUID.test(roleDefinitionId))
        return problem(400, 'roleDefinitionId must be a role definition id (a GUID)');
      if (canReadEverything(auth.caller)) return undefined;
      if (roleDefinitionId !== undefined)
        return problem(403, "Only admins and auditors read a directory role's drift");
      if (groupId === undefined) {
        return problem(403, "Only admins and auditors list every group's drift; owners filter by groupId");
      }
      return authorizeGroup(services, auth.caller, groupId.toLowerCase(), 'read');
    },
    load: ({ filters, top, skipToken }) =>
      services.driftReports.list({
        groupId: reportKey(filters),
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
