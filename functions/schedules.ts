/**
 * Read models, Graph-shaped, for each resource API (shared/requests/http/resource-api.ts): `eligibilitySchedules`,
 * `assignmentSchedules` (current and future schedules, and those that expired in the last 30 days) and
 * `eligibilityScheduleInstances`, `assignmentScheduleInstances` (what is in force now) for groups; the same as
 * `roleEligibilitySchedules`, `roleAssignmentSchedules`, `roleEligibilityScheduleInstances`,
 * `roleAssignmentScheduleInstances` for Microsoft Entra roles; each also answers GET {id} and
 * filterByCurrentUser(on='principal'). $filter (eq; ne on the enum fields), $orderby, $count, $select, $expand
 * (shared/requests/http/request-odata.ts) and paging. Admins and auditors see all; group
 * managers their groups; anyone else their own.
 */
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import { APP_ROLES } from '../shared/auth/principal';
import { authenticate } from '../shared/http/caller';
import { BY_CURRENT_USER, currentUserOn } from '../shared/http/current-user';
import { validate } from '../shared/http/json-body';
import type { ListQuery } from '../shared/http/odata-query';
import { pagedList } from '../shared/http/paged-list';
import { problem } from '../shared/http/problem';
import { getAppServices } from '../shared/composition-root';
import { storedScheduleId } from '../shared/requests/domain/schedule-id';
import { resourceTypeOf } from '../shared/access/resource';
import { EXPIRED_LISTED_MS, type Schedule } from '../shared/lifecycle/domain/schedule';
import type { RequestKind } from '../shared/requests/domain/request-body';
import { GROUP_API, scheduleListed, type ResourceApi } from '../shared/requests/http/resource-api';
import { listOptions, scheduleResource, storeFilter } from '../shared/requests/http/request-odata';
import { entityBody, parseShapingRequest } from '../shared/http/odata-shape';
import { ROLE_API } from '../shared/requests/http/role-api';

const idSchema = z.string().refine((id) => z.guid().safeParse(storedScheduleId(id)).success, {
  message: "must be a schedule id (a GUID, or Graph's {groupId}_{accessId}_{guid} for a group)",
});

/** Schedules and instances offer filterByCurrentUser(on='principal') only, as Graph. */
const SCHEDULES_ON = ['principal'] as const;

function listHandler(api: ResourceApi, kind: RequestKind, instances: boolean, currentUserOnly = false) {
  return async (request: HttpRequest): Promise<HttpResponseInit> => {
    const pim = await getAppServices();
    if (currentUserOnly) {
      const on = currentUserOn(request, SCHEDULES_ON);
      if (!on.ok) return on.response;
    }
    const auth = await authenticate(
      request,
      pim.tokens,
      [],
      currentUserOnly ? { userOnly: "list their own schedules (filterByCurrentUser(on='principal'))" } : {},
    );
    if (!auth.ok) return auth.response;
    const what = instances ? 'ScheduleInstances' : 'Schedules';
    const filtersOf = (query: ListQuery) => {
      const filters = storeFilter(api, kind, what, query);
      return currentUserOnly ? { ...filters, principalId: auth.caller.objectId } : filters;
    };
    const of = (query: ListQuery) => ({
      kind,
      resourceType: api.resourceType,
      ...filtersOf(query),
      ...(instances
        ? { inForceAt: pim.clock.now() }
        : { expiredSince: new Date(pim.clock.now().getTime() - EXPIRED_LISTED_MS) }),
    });
    return pagedList(request, {
      context: api.context(kind, what),
      ...listOptions(api, kind, what),
      check: (query) => api.mayList(pim.canManageGroup, auth.caller, filtersOf(query)),
      load: (query) =>
        pim.store.listSchedules({ ...of(query), pageSize: query.top, continuationToken: query.skipToken }),
      count: (query) => pim.store.countSchedules(of(query)),
      resource: scheduleResource(api, kind, instances, pim),
    });
  };
}

/**
 * GET {id}: a schedule of this kind and resource type that the caller may see (admins and auditors, its principal,
 * a group's managers — as the lists show them), listed as the collection lists it (an instance only while in force).
 */
function getHandler(api: ResourceApi, kind: RequestKind, instances: boolean) {
  return async (request: HttpRequest): Promise<HttpResponseInit> => {
    const pim = await getAppServices();
    const auth = await authenticate(request, pim.tokens);
    if (!auth.ok) return auth.response;
    const resource = scheduleResource(api, kind, instances, pim);
    const shaping = parseShapingRequest(request, resource);
    if (!shaping.ok) return shaping.response;
    const id = validate(idSchema, request.params.id, 'id');
    if (!id.ok) return id.response;
    const s = await pim.store.findSchedule(storedScheduleId(id.value));
    const c = auth.caller;
    const mayRead = async (found: Schedule) =>
      c.roles.includes(APP_ROLES.admin) ||
      c.roles.includes(APP_ROLES.auditor) ||
      (c.kind === 'user' && found.principalId === c.objectId) ||
      (api.resourceType === 'group' && (await pim.canManageGroup(c, found.groupId)));
    if (
      !s ||
      s.kind !== kind ||
      resourceTypeOf(s) !== api.resourceType ||
      !scheduleListed(s, instances, pim.clock.now()) ||
      !(await mayRead(s))
    )
      return problem(404, `No ${kind} schedule${instances ? ' instance' : ''} ${id.value}`);
    const entitySet = api.context(kind, instances ? 'ScheduleInstances' : 'Schedules');
    return { jsonBody: await entityBody(request, entitySet, resource, s, shaping.value) };
  };
}

for (const api of [GROUP_API, ROLE_API]) {
  for (const kind of ['assignment', 'eligibility'] as const) {
    for (const instances of [false, true]) {
      const name = api.collection(kind, instances ? 'ScheduleInstances' : 'Schedules');
      const route = `${api.base}/${name}`;
      app.http(`${name}List`, {
        route,
        methods: ['GET'],
        authLevel: 'anonymous',
        handler: listHandler(api, kind, instances),
      });
      // Named to sort before ...Get (shared/http/current-user.ts).
      app.http(`${name}ByCurrentUser`, {
        route: `${route}/${BY_CURRENT_USER}`,
        methods: ['GET'],
        authLevel: 'anonymous',
        handler: listHandler(api, kind, instances, true),
      });
      app.http(`${name}Get`, {
        route: `${route}/{id}`,
        methods: ['GET'],
        authLevel: 'anonymous',
        handler: getHandler(api, kind, instances),
      });
    }
  }
}
