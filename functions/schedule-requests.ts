/**
 * Schedule requests, Graph-shaped, for each resource API (shared/requests/http/resource-api.ts):
 * - PIM for Groups under /api/identityGovernance/privilegedAccess/group/: `assignmentScheduleRequests` and
 *   `eligibilityScheduleRequests` ($filter on groupId / principalId / accessId);
 * - PIM for Microsoft Entra roles under /api/roleManagement/directory/: `roleAssignmentScheduleRequests` and
 *   `roleEligibilityScheduleRequests` ($filter on principalId / roleDefinitionId / directoryScopeId);
 * each with POST (create), GET (list, paging), GET {id}, POST {id}/cancel, and filterByCurrentUser(on=
 * 'principal' | 'createdBy' | 'approver'). Lists take $filter (eq; ne on status), $orderby, $count, $select and
 * $expand; GET {id} $select and $expand (shared/requests/http/request-odata.ts).
 * Creating a request starts its orchestration (instance id from the request id); ending access signals it.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { z } from 'zod';
import { authenticate, refuseAppOnly } from '../shared/http/caller';
import { BY_CURRENT_USER, currentUserOn } from '../shared/http/current-user';
import { parseJsonBody, validate } from '../shared/http/json-body';
import type { ListQuery } from '../shared/http/odata-query';
import { pagedList } from '../shared/http/paged-list';
import { problem } from '../shared/http/problem';
import { getAppServices } from '../shared/composition-root';
import { createRequest } from '../shared/requests/create-request';
import type { RequestKind } from '../shared/requests/domain/request-body';
import { createResponse, refusalResponse } from '../shared/requests/http/request-responses';
import { GROUP_API, type ResourceApi } from '../shared/requests/http/resource-api';
import { listOptions, requestResource, storeFilter } from '../shared/requests/http/request-odata';
import { entityBody, parseShapingRequest, withEntityContext } from '../shared/http/odata-shape';
import { ROLE_API } from '../shared/requests/http/role-api';
import { requestsAwaitingApprover } from '../shared/requests/approver-inbox';
import { cancelRequest, findVisibleRequest } from '../shared/requests/request-access';
import { orchestrationsOf } from './request-orchestrations';

const idSchema = z.guid({ message: 'must be a request id (a GUID)' });

function createHandler(api: ResourceApi, kind: RequestKind) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const pim = await getAppServices();
    const auth = await authenticate(request, pim.tokens);
    if (!auth.ok) return auth.response;
    const body = await parseJsonBody(request, api.bodySchema);
    if (!body.ok) return body.response;
    // Self-service (selfActivate, selfDeactivate, selfExtend, selfRenew) acts for the signed-in user: no app can.
    if (body.value.action.startsWith('self')) {
      const refused = refuseAppOnly(auth.caller, `${body.value.action} (a self-service action)`);
      if (refused) return refused;
    }
    const outcome = await createRequest(
      pim,
      orchestrationsOf(context),
      kind,
      body.value,
      auth.caller,
      pim.clock.now(),
    );
    const entitySet = api.context(kind, 'ScheduleRequests');
    return createResponse(outcome, request.url, (r) =>
      withEntityContext(request, entitySet, api.requestView(r)),
    );
  };
}

/** filterByCurrentUser's `on` for requests: the caller's own, the ones they made, the ones they must decide. */
const REQUESTS_ON = ['principal', 'createdBy', 'approver'] as const;
type RequestsOn = (typeof REQUESTS_ON)[number];

/**
 * The list, or with `currentUser` (filterByCurrentUser) the caller's: `principal` — requests for them; `createdBy`
 * — requests they made; `approver` — requests waiting for their decision (approver-inbox.ts). Each is a user's
 * own view, so it needs no role.
 */
function listHandler(api: ResourceApi, kind: RequestKind, currentUser: boolean) {
  return async (request: HttpRequest): Promise<HttpResponseInit> => {
    const pim = await getAppServices();
    let on: RequestsOn | undefined;
    if (currentUser) {
      const parsed = currentUserOn(request, REQUESTS_ON);
      if (!parsed.ok) return parsed.response;
      on = parsed.value;
    }
    const auth = await authenticate(
      request,
      pim.tokens,
      [],
      on ? { userOnly: `list their own requests (filterByCurrentUser(on='${on}'))` } : {},
    );
    if (!auth.ok) return auth.response;
    const me = auth.caller.objectId;
    const filtersOf = (query: ListQuery) => {
      const filters = storeFilter(api, kind, 'ScheduleRequests', query);
      if (on === 'principal') return { ...filters, principalId: me };
      return on === 'createdBy' ? { ...filters, createdBy: me } : filters;
    };
    const of = (query: ListQuery) => ({ kind, resourceType: api.resourceType, ...filtersOf(query) });
    return pagedList(request, {
      context: api.context(kind, 'ScheduleRequests'),
      ...listOptions(api, kind, 'ScheduleRequests'),
      check: (query) => (on ? undefined : api.mayList(pim.canManageGroup, auth.caller, filtersOf(query))),
      load: (query) => {
        const f = { ...of(query), pageSize: query.top, continuationToken: query.skipToken };
        if (on === 'approver') return requestsAwaitingApprover(pim, { ...f, approverId: me });
        return pim.store.listRequests(f);
      },
      // The approver's inbox is read through approvals and filtered as it goes: no total to give.
      ...(on === 'approver' ? {} : { count: (query: ListQuery) => pim.store.countRequests(of(query)) }),
      resource: requestResource(api, pim),
    });
  };
}

/** The request named in the route, if the caller may see it: else the 400/401/404 to answer. */
async function visibleRequest(request: HttpRequest, api: ResourceApi, kind: RequestKind) {
  const pim = await getAppServices();
  const auth = await authenticate(request, pim.tokens);
  if (!auth.ok) return { ok: false as const, response: auth.response };
  const id = validate(idSchema, request.params.id, 'id');
  if (!id.ok) return { ok: false as const, response: id.response };
  const found = await findVisibleRequest(pim, kind, id.value, auth.caller, api.resourceType);
  if (!found) {
    return { ok: false as const, response: problem(404, `No ${kind} schedule request ${id.value}`) };
  }
  return { ok: true as const, found, caller: auth.caller, pim };
}

function getHandler(api: ResourceApi, kind: RequestKind) {
  return async (request: HttpRequest): Promise<HttpResponseInit> => {
    const visible = await visibleRequest(request, api, kind);
    if (!visible.ok) return visible.response;
    const resource = requestResource(api, visible.pim);
    const shaping = parseShapingRequest(request, resource);
    if (!shaping.ok) return shaping.response;
    const entitySet = api.context(kind, 'ScheduleRequests');
    return { jsonBody: await entityBody(request, entitySet, resource, visible.found, shaping.value) };
  };
}

function cancelHandler(api: ResourceApi, kind: RequestKind) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const visible = await visibleRequest(request, api, kind);
    if (!visible.ok) return visible.response;
    const outcome = await cancelRequest(
      visible.pim,
      orchestrationsOf(context),
      visible.found,
      visible.caller,
    );
    return outcome.outcome === 'canceled' ? { status: 204 } : refusalResponse(outcome);
  };
}

for (const api of [GROUP_API, ROLE_API]) {
  for (const kind of ['assignment', 'eligibility'] as const) {
    const name = api.collection(kind, 'ScheduleRequests');
    const resource = `${api.base}/${name}`;
    const extraInputs = [df.input.durableClient()];
    app.http(`${name}Create`, {
      route: resource,
      methods: ['POST'],
      authLevel: 'anonymous',
      extraInputs,
      handler: createHandler(api, kind),
    });
    app.http(`${name}List`, {
      route: resource,
      methods: ['GET'],
      authLevel: 'anonymous',
      handler: listHandler(api, kind, false),
    });
    // Named to sort before ...Get (shared/http/current-user.ts).
    app.http(`${name}ByCurrentUser`, {
      route: `${resource}/${BY_CURRENT_USER}`,
      methods: ['GET'],
      authLevel: 'anonymous',
      handler: listHandler(api, kind, true),
    });
    app.http(`${name}Get`, {
      route: `${resource}/{id}`,
      methods: ['GET'],
      authLevel: 'anonymous',
      handler: getHandler(api, kind),
    });
    app.http(`${name}Cancel`, {
      route: `${resource}/{id}/cancel`,
      methods: ['POST'],
      authLevel: 'anonymous',
      extraInputs,
      handler: cancelHandler(api, kind),
    });
  }
}
