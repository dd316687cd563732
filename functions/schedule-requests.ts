/**
 * PIM for Groups schedule requests, Graph-shaped, under /api/identityGovernance/privilegedAccess/group/:
 * `assignmentScheduleRequests` and `eligibilityScheduleRequests` — POST (create), GET (list, with $filter on
 * groupId / principalId / accessId and paging), GET {id}, POST {id}/cancel, and filterByCurrentUser(on='principal').
 * Creating a request starts its orchestration (instance id from the request id); ending access signals it.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { z } from 'zod';
import { APP_ROLES, type CallerPrincipal } from '../shared/auth/principal';
import { authenticate, refuseAppOnly } from '../shared/http/caller';
import { parseJsonBody, validate } from '../shared/http/json-body';
import { collection, nextLink } from '../shared/http/odata';
import { parseListRequest } from '../shared/http/odata-query';
import { mayList } from '../shared/requests/http/list-access';
import { problem } from '../shared/http/problem';
import { getAppServices, type AppServices } from '../shared/composition-root';
import { REQUEST_ORCHESTRATOR } from '../shared/requests/activity-names';
import { requestView } from '../shared/requests/http/request-view';
import {
  OPEN_STATUSES,
  REQUEST_EVENTS,
  requestInstanceId,
  type EndAccessEvent,
  type RequestOrchestrationInput,
  type ScheduleRequest,
} from '../shared/requests/domain/schedule-request';
import { requestBodySchema, submitRequest } from '../shared/requests/submit-request';

type Kind = 'assignment' | 'eligibility';
const BASE = 'identityGovernance/privilegedAccess/group';
const FILTER_FIELDS = ['groupId', 'principalId', 'accessId'] as const;
const idSchema = z.guid({ message: 'must be a request id (a GUID)' });

function createHandler(kind: Kind) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const pim = await getAppServices();
    const auth = await authenticate(request, pim.tokens);
    if (!auth.ok) return auth.response;
    const body = await parseJsonBody(request, requestBodySchema);
    if (!body.ok) return body.response;
    // Self-service (selfActivate, selfDeactivate, selfExtend, selfRenew) acts for the signed-in user: no app can.
    if (body.value.action.startsWith('self')) {
      const refused = refuseAppOnly(auth.caller, `${body.value.action} (a self-service action)`);
      if (refused) return refused;
    }
    const result = await submitRequest(pim, kind, body.value, auth.caller, pim.clock.now());
    const client = df.getClient(context);
    switch (result.outcome) {
      case 'problem':
        return problem(
          result.status,
          result.detail,
          {},
          result.claims
            ? {
                'www-authenticate': `Bearer realm="pimflow", error="insufficient_claims", claims="${result.claims}"`,
              }
            : {},
        );
      case 'validated':
        return { status: 200, jsonBody: requestView(result.request) };
      case 'existing':
        // The same POST again (its answer was lost): the request it made.
        return { status: 200, jsonBody: requestView(result.request) };
      case 'end':
        try {
          await client.raiseEvent(result.targetInstanceId, REQUEST_EVENTS.end, {
            by: result.by,
            endRequestId: result.request.id,
          } satisfies EndAccessEvent);
        } catch {
          return problem(409, 'That access has already ended');
        }
        return { status: 201, jsonBody: requestView(result.request) };
      case 'start': {
        // The orchestration first, the request second: a crash in between leaves an orchestration that finds no
        // request, frees the slot and ends — never a stored request with nothing behind it.
        const r = result.request;
        if (!(await startRequestOrchestration(client, r, context))) {
          await pim.store.releaseOpenRequest(r.groupId, r.principalId, r.accessId, r.id);
          return problem(503, 'The request could not be started; try again');
        }
        await pim.store.createRequestIfAbsent(r);
        return {
          status: 201,
          headers: { location: `${request.url.replace(/\/$/, '')}/${r.id}` },
          jsonBody: requestView(r),
        };
      }
    }
  };
}

/** Starts `request-{id}` with the request's ids; one already running (a retried POST started it) will do. */
async function startRequestOrchestration(
  client: df.DurableClient,
  r: ScheduleRequest,
  context: InvocationContext,
): Promise<boolean> {
  try {
    await client.startNew(REQUEST_ORCHESTRATOR, {
      instanceId: r.orchestrationInstanceId,
      input: { requestId: r.id, groupId: r.groupId } satisfies RequestOrchestrationInput,
    });
    return true;
  } catch (err) {
    const status = await client.getStatus(r.orchestrationInstanceId).catch(() => undefined);
    if (status && ['Pending', 'Running'].includes(String(status.runtimeStatus))) return true;
    context.error(`Could not start request ${r.id}: ${String(err)}`);
    return false;
  }
}

function listHandler(kind: Kind, currentUserOnly: boolean) {
  return async (request: HttpRequest): Promise<HttpResponseInit> => {
    const pim = await getAppServices();
    const auth = await authenticate(
      request,
      pim.tokens,
      [],
      currentUserOnly ? { userOnly: "list their own requests (filterByCurrentUser(on='principal'))" } : {},
    );
    if (!auth.ok) return auth.response;
    const parsed = parseListRequest(request, FILTER_FIELDS);
    if (!parsed.ok) return parsed.response;
    const { query } = parsed;
    const filters = { ...query.filters };
    if (currentUserOnly) filters.principalId = auth.caller.objectId;
    const denied = await mayList(pim.canManageGroup, auth.caller, filters);
    if (denied) return denied;
    const page = await pim.store.listRequests({
      kind,
      ...filters,
      pageSize: query.top,
      continuationToken: query.skipToken,
    });
    return {
      jsonBody: collection(
        `${kind}ScheduleRequests`,
        page.items.map(requestView),
        nextLink(request, page.continuationToken),
      ),
    };
  };
}

/** The request named in the route, if the caller may see it: else the 400/401/404 to answer. */
async function visibleRequest(request: HttpRequest, kind: Kind) {
  const pim = await getAppServices();
  const auth = await authenticate(request, pim.tokens);
  if (!auth.ok) return { ok: false as const, response: auth.response };
  const id = validate(idSchema, request.params.id, 'id');
  if (!id.ok) return { ok: false as const, response: id.response };
  const found = await pim.store.findRequest(id.value);
  if (!found || found.kind !== kind || !(await mayRead(pim, auth.caller, found))) {
    return { ok: false as const, response: problem(404, `No ${kind} schedule request ${id.value}`) };
  }
  return { ok: true as const, found, caller: auth.caller };
}

function getHandler(kind: Kind) {
  return async (request: HttpRequest): Promise<HttpResponseInit> => {
    const visible = await visibleRequest(request, kind);
    return visible.ok ? { jsonBody: requestView(visible.found) } : visible.response;
  };
}

function cancelHandler(kind: Kind) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const visible = await visibleRequest(request, kind);
    if (!visible.ok) return visible.response;
    const { found, caller } = visible;
    // Being the requester is a person's authority; an app cancels only as an admin.
    const isRequester = caller.kind === 'user' && found.createdBy.user.id === caller.objectId;
    if (!isRequester && !caller.roles.includes(APP_ROLES.admin)) {
      return problem(403, 'Only the requester or an admin can cancel a request');
    }
    if (!OPEN_STATUSES.includes(found.status)) {
      return problem(
        409,
        `The request is ${found.status}; only a request that hasn't started can be canceled`,
      );
    }
    // Written first, then the orchestration is told: it confirms the cancel against the request, and the reconciler
    // re-sends it if the event was lost.
    const by = { id: caller.objectId, displayName: caller.displayName ?? null };
    const pim = await getAppServices();
    const marked = await pim.store.markCancelRequested(found.id, found.groupId, by, pim.clock.now());
    if (!marked) return problem(409, 'The request has already finished');
    try {
      await df.getClient(context).raiseEvent(requestInstanceId(found.id), REQUEST_EVENTS.cancel, { by });
    } catch {
      return problem(409, 'The request has already finished');
    }
    return { status: 204 };
  };
}

async function mayRead(
  pim: AppServices,
  caller: CallerPrincipal,
  r: { principalId: string; groupId: string; createdBy: { user: { id: string } } },
): Promise<boolean> {
  if (caller.roles.includes(APP_ROLES.admin) || caller.roles.includes(APP_ROLES.auditor)) return true;
  if (caller.kind !== 'user') return false; // apps read by their roles only
  if (r.principalId === caller.objectId || r.createdBy.user.id === caller.objectId) return true;
  return pim.canManageGroup(caller, r.groupId);
}

for (const kind of ['assignment', 'eligibility'] as const) {
  const resource = `${BASE}/${kind}ScheduleRequests`;
  const extraInputs = [df.input.durableClient()];
  app.http(`${kind}ScheduleRequestsCreate`, {
    route: resource,
    methods: ['POST'],
    authLevel: 'anonymous',
    extraInputs,
    handler: createHandler(kind),
  });
  app.http(`${kind}ScheduleRequestsList`, {
    route: resource,
    methods: ['GET'],
    authLevel: 'anonymous',
    handler: listHandler(kind, false),
  });
  // Named to sort before ...Get: the host tries routes in order of function name, and {id} would match this too.
  app.http(`${kind}ScheduleRequestsByCurrentUser`, {
    route: `${resource}/filterByCurrentUser(on='principal')`,
    methods: ['GET'],
    authLevel: 'anonymous',
    handler: listHandler(kind, true),
  });
  app.http(`${kind}ScheduleRequestsGet`, {
    route: `${resource}/{id}`,
    methods: ['GET'],
    authLevel: 'anonymous',
    handler: getHandler(kind),
  });
  app.http(`${kind}ScheduleRequestsCancel`, {
    route: `${resource}/{id}/cancel`,
    methods: ['POST'],
    authLevel: 'anonymous',
    extraInputs,
    handler: cancelHandler(kind),
  });
}
