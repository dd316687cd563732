/**
 * Read models, Graph-shaped: `eligibilitySchedules`, `assignmentSchedules` (current and future schedules) and
 * `eligibilityScheduleInstances`, `assignmentScheduleInstances` (what is in force now), with $filter on
 * groupId / principalId / accessId and paging. Admins and auditors see all; group managers their groups; anyone
 * else their own.
 */
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { APP_ROLES } from '../shared/auth/principal';
import { authenticate } from '../shared/http/caller';
import { collection, nextLink, ODataError } from '../shared/http/odata';
import { parseListQuery } from '../shared/http/odata-query';
import { problem } from '../shared/http/problem';
import { getPimServices } from '../shared/pim/pim-services';
import { instanceView, scheduleView } from '../shared/pim/requests/request-view';

const BASE = 'identityGovernance/privilegedAccess/group';

function listHandler(kind: 'assignment' | 'eligibility', instances: boolean) {
  return async (request: HttpRequest): Promise<HttpResponseInit> => {
    const pim = await getPimServices();
    const auth = await authenticate(request, pim.tokens);
    if (!auth.ok) return auth.response;
    let query;
    try {
      query = parseListQuery(request, ['groupId', 'principalId', 'accessId']);
    } catch (err) {
      if (err instanceof ODataError) return problem(400, err.message);
      throw err;
    }
    const c = auth.caller;
    const privileged = c.roles.includes(APP_ROLES.admin) || c.roles.includes(APP_ROLES.auditor);
    const own = query.filters.principalId === c.objectId;
    const manages = query.filters.groupId ? await pim.canManageGroup(c, query.filters.groupId) : false;
    if (!privileged && !own && !manages) {
      return problem(403, `Filter on principalId eq '${c.objectId}' (your own), or on a group you manage`);
    }
    const page = await pim.store.listSchedules({
      kind,
      ...query.filters,
      pageSize: query.top,
      continuationToken: query.skipToken,
      inForceAt: instances ? pim.clock.now() : undefined,
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
