/**
 * Read models, Graph-shaped: `eligibilitySchedules`, `assignmentSchedules` (current and future schedules, and those
 * that expired in the last 30 days) and
 * `eligibilityScheduleInstances`, `assignmentScheduleInstances` (what is in force now), with $filter on
 * groupId / principalId / accessId and paging. Admins and auditors see all; group managers their groups; anyone
 * else their own.
 */
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { authenticate } from '../shared/http/caller';
import { collection, nextLink } from '../shared/http/odata';
import { parseListRequest } from '../shared/http/odata-query';
import { mayList } from '../shared/requests/http/list-access';
import { getAppServices } from '../shared/composition-root';
import { instanceView, scheduleView } from '../shared/requests/http/request-view';

const BASE = 'identityGovernance/privilegedAccess/group';
/** Expired schedules stay listed (status Expired) for 30 days after their end; the audit log keeps them for good. */
const EXPIRED_LISTED_MS = 30 * 86_400_000;

function listHandler(kind: 'assignment' | 'eligibility', instances: boolean) {
  return async (request: HttpRequest): Promise<HttpResponseInit> => {
    const pim = await getAppServices();
    const auth = await authenticate(request, pim.tokens);
    if (!auth.ok) return auth.response;
    const parsed = parseListRequest(request, ['groupId', 'principalId', 'accessId']);
    if (!parsed.ok) return parsed.response;
    const { query } = parsed;
    const denied = await mayList(pim.canManageGroup, auth.caller, query.filters);
    if (denied) return denied;
    const page = await pim.store.listSchedules({
      kind,
      ...query.filters,
      pageSize: query.top,
      continuationToken: query.skipToken,
      ...(instances
        ? { inForceAt: pim.clock.now() }
        : { expiredSince: new Date(pim.clock.now().getTime() - EXPIRED_LISTED_MS) }),
    });
    const name = `${kind}Schedule${instances ? 'Instances' : 's'}`;
    return {
      jsonBody: collection(
        name,
        page.items.map(instances ? instanceView : scheduleView),
        nextLink(request, page.continuationToken),
      ),
    };
  };
}

for (const kind of ['assignment', 'eligibility'] as const) {
  app.http(`${kind}SchedulesList`, {
    route: `${BASE}/${kind}Schedules`,
    methods: ['GET'],
    authLevel: 'anonymous',
    handler: listHandler(kind, false),
  });
  app.http(`${kind}ScheduleInstancesList`, {
    route: `${BASE}/${kind}ScheduleInstances`,
    methods: ['GET'],
    authLevel: 'anonymous',
    handler: listHandler(kind, true),
  });
}
