/**
 * Read models, Graph-shaped: `eligibilitySchedules`, `assignmentSchedules` (current and future schedules, and those
 * that expired in the last 30 days) and
 * `eligibilityScheduleInstances`, `assignmentScheduleInstances` (what is in force now), with $filter on
 * groupId / principalId / accessId and paging. Admins and auditors see all; group managers their groups; anyone
 * else their own.
 */
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { authenticate } from '../shared/http/caller';
import { pagedList } from '../shared/http/paged-list';
import { mayList } from '../shared/requests/http/list-access';
import { getAppServices } from '../shared/composition-root';
import { EXPIRED_LISTED_MS } from '../shared/lifecycle/domain/schedule';
import type { RequestKind } from '../shared/requests/domain/request-body';
import { instanceView, scheduleView } from '../shared/requests/http/request-view';

const BASE = 'identityGovernance/privilegedAccess/group';

function listHandler(kind: RequestKind, instances: boolean) {
  return async (request: HttpRequest): Promise<HttpResponseInit> => {
    const pim = await getAppServices();
    const auth = await authenticate(request, pim.tokens);
    if (!auth.ok) return auth.response;
    return pagedList(request, {
      context: `${kind}Schedule${instances ? 'Instances' : 's'}`,
      filterFields: ['groupId', 'principalId', 'accessId'],
      check: (query) => mayList(pim.canManageGroup, auth.caller, query.filters),
      load: (query) =>
        pim.store.listSchedules({
          kind,
          ...query.filters,
          pageSize: query.top,
          continuationToken: query.skipToken,
          ...(instances
            ? { inForceAt: pim.clock.now() }
            : { expiredSince: new Date(pim.clock.now().getTime() - EXPIRED_LISTED_MS) }),
        }),
      view: instances ? instanceView : scheduleView,
    });
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
