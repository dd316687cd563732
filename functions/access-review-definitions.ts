/**
 * Access review definitions (series), Graph-shaped, under /api/identityGovernance/accessReviews/definitions:
 * - `POST definitions` (admins): 201 with the definition; starts its series orchestration `review-series-{id}`
 * - `GET definitions` (admins, auditors): newest first, paged (`$top`, `@odata.nextLink`)
 * - `GET definitions/filterByCurrentUser(on='reviewer')` (any user): the ones in which the caller reviews items
 * - `GET definitions/{id}` (admins, auditors)
 * - `PATCH definitions/{id}` (admins): series edits, for occurrences starting after the edit; 200 with the definition
 * - `PUT definitions/{id}` (admins): Graph's update, the whole definition (same rules as PATCH); 204
 * - `POST definitions/{id}/stop` (admins): 204; final — no more occurrences, running instances stopped
 * - `DELETE definitions/{id}` (admins): 204; ends the series and its instances' orchestrations, deletes its
 *   instances and decision items, then the definition
 * The checks and the audit records are in shared/reviews/definition-service.ts.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { pagedList } from '../shared/http/paged-list';
import { z } from 'zod';
import { withEntityContext } from '../shared/http/odata-shape';
import { APP_ROLES } from '../shared/auth/principal';
import { authenticate } from '../shared/http/caller';
import { BY_CURRENT_USER, currentUserOn } from '../shared/http/current-user';
import { parseJsonBody, validate } from '../shared/http/json-body';
import { problem } from '../shared/http/problem';
import {
  auditCreated,
  prepareDefinition,
  storeDefinition,
  definitionCreateSchema,
  definitionPatchSchema,
  definitionReplaceSchema,
  deleteDefinition,
  replaceDefinition,
  updateDefinition,
  type OrchestrationControl,
} from '../shared/reviews/definition-service';
import { definitionView } from '../shared/reviews/http/definition-view';
import { stopDefinition } from '../shared/reviews/stop-definition';
import { REVIEW_ORCHESTRATORS, type SeriesInput } from '../shared/reviews/contract';
import { getAppServices } from '../shared/composition-root';
import { refusalResponse } from '../shared/reviews/http/refusal';
import { REVIEWS_ON, REVIEWS_USER_ONLY } from '../shared/reviews/http/instance-api';
import { stopDepsOf } from './access-review-services';

const ROUTE = 'identityGovernance/accessReviews/definitions';
const idSchema = z.guid({ message: 'must be an access review definition id (a GUID)' });
const MANAGE = [APP_ROLES.admin];
const READ = [APP_ROLES.admin, APP_ROLES.auditor];

async function create(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const services = await getAppServices();
  const auth = await authenticate(request, services.tokens, MANAGE);
  if (!auth.ok) return auth.response;
  const body = await parseJsonBody(request, definitionCreateSchema);
  if (!body.ok) return body.response;
  const result = await prepareDefinition(services, body.value, auth.caller);
  if (!result.ok) return refusalResponse(result);
  const prepared = result.definition;
  // The series first, then the definition: a crash in between leaves a series that finds nothing and ends, never a
  // definition without its series.
  try {
    await df.getClient(context).startNew(REVIEW_ORCHESTRATORS.series, {
      instanceId: prepared.orchestrationInstanceId,
      input: { definitionId: prepared.id, occurrence: 0 } satisfies SeriesInput,
    });
  } catch (err) {
    context.error(`Could not start the series of access review ${prepared.id}: ${String(err)}`);
    return problem(503, 'The access review could not be started; try again');
  }
  const definition = await storeDefinition(services, prepared);
  await auditCreated(services, definition, auth.caller);
  return {
    status: 201,
    headers: { location: `${request.url.split('?')[0]?.replace(/\/$/, '')}/${definition.id}` },
    jsonBody: withEntityContext(request, ROUTE, definitionView(definition)),
  };
}

async function list(request: HttpRequest): Promise<HttpResponseInit> {
  const services = await getAppServices();
  const auth = await authenticate(request, services.tokens, READ);
  if (!auth.ok) return auth.response;
  return pagedList(request, {
    context: ROUTE,
    load: (q) => services.reviews.listDefinitions(q.top, q.skipToken),
    view: definitionView,
  });
}

/** `filterByCurrentUser(on='reviewer')`: the definitions in which the caller reviews items (any signed-in user). */
async function listReviewedByCaller(request: HttpRequest): Promise<HttpResponseInit> {
  const on = currentUserOn(request, REVIEWS_ON);
  if (!on.ok) return on.response;
  const services = await getAppServices();
  const auth = await authenticate(request, services.tokens, [], { userOnly: REVIEWS_USER_ONLY });
  if (!auth.ok) return auth.response;
  const ids = await services.reviews.reviewedBy(auth.caller.objectId.toLowerCase(), { definitions: true });
  return pagedList(request, {
    context: '$metadata#identityGovernance/accessReviews/definitions',
    load: (q) => services.reviews.listDefinitionsAmong(ids, q.top, q.skipToken),
    view: definitionView,
  });
}

async function get(request: HttpRequest): Promise<HttpResponseInit> {
  const services = await getAppServices();
  const auth = await authenticate(request, services.tokens, READ);
  if (!auth.ok) return auth.response;
  const id = validate(idSchema, request.params.id, 'id');
  if (!id.ok) return id.response;
  const definition = await services.reviews.definitions.find(id.value, id.value);
  if (!definition) return problem(404, `No access review definition ${id.value}`);
  return { jsonBody: withEntityContext(request, ROUTE, definitionView(definition)) };
}

async function update(request: HttpRequest): Promise<HttpResponseInit> {
  const services = await getAppServices();
  const auth = await authenticate(request, services.tokens, MANAGE);
  if (!auth.ok) return auth.response;
  const id = validate(idSchema, request.params.id, 'id');
  if (!id.ok) return id.response;
  const body = await parseJsonBody(request, definitionPatchSchema);
  if (!body.ok) return body.response;
  const result = await updateDefinition(services, id.value, body.value, auth.caller);
  if (!result.ok) return refusalResponse(result);
  return { jsonBody: withEntityContext(request, ROUTE, definitionView(result.definition)) };
}

/** Graph's update: the whole definition; 204 as Graph answers it. */
async function replace(request: HttpRequest): Promise<HttpResponseInit> {
  const services = await getAppServices();
  const auth = await authenticate(request, services.tokens, MANAGE);
  if (!auth.ok) return auth.response;
  const id = validate(idSchema, request.params.id, 'id');
  if (!id.ok) return id.response;
  const body = await parseJsonBody(request, definitionReplaceSchema);
  if (!body.ok) return body.response;
  const result = await replaceDefinition(services, id.value, body.value, auth.caller);
  if (!result.ok) return refusalResponse(result);
  return { status: 204 };
}

async function remove(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const services = await getAppServices();
  const auth = await authenticate(request, services.tokens, MANAGE);
  if (!auth.ok) return auth.response;
  const id = validate(idSchema, request.params.id, 'id');
  if (!id.ok) return id.response;
  const result = await deleteDefinition(services, id.value, auth.caller, control(df.getClient(context)));
  if (!result.ok) return refusalResponse(result);
  return { status: 204 };
}

async function stop(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const services = await getAppServices();
  const auth = await authenticate(request, services.tokens, MANAGE);
  if (!auth.ok) return auth.response;
  const id = validate(idSchema, request.params.id, 'id');
  if (!id.ok) return id.response;
  const empty = await parseJsonBody(request, z.strictObject({}).optional());
  if (!empty.ok) return empty.response;
  const client = df.getClient(context);
  const result = await stopDefinition(stopDepsOf(services, client, context), id.value, auth.caller);
  return result.ok ? { status: 204 } : refusalResponse(result);
}

/** Terminate through the durable client: a finished instance answers 410 (fine), an unknown one 404 (fine too). */
function control(client: df.DurableClient): OrchestrationControl {
  return {
    async terminate(instanceId, reason) {
      try {
        await client.terminate(instanceId, encodeURIComponent(reason));
      } catch (err) {
        if (err instanceof Error && /No instance with ID/i.test(err.message)) return;
        throw err;
      }
    },
  };
}

const common = { authLevel: 'anonymous' as const };
const extraInputs = [df.input.durableClient()];
app.http('accessReviewDefinitionsCreate', {
  ...common,
  route: ROUTE,
  methods: ['POST'],
  extraInputs,
  handler: create,
});
app.http('accessReviewDefinitionsList', { ...common, route: ROUTE, methods: ['GET'], handler: list });
// Named to sort before ...Get (shared/http/current-user.ts).
app.http('accessReviewDefinitionByCurrentUser', {
  ...common,
  route: `${ROUTE}/${BY_CURRENT_USER}`,
  methods: ['GET'],
  handler: listReviewedByCaller,
});
app.http('accessReviewDefinitionGet', { ...common, route: `${ROUTE}/{id}`, methods: ['GET'], handler: get });
app.http('accessReviewDefinitionUpdate', {
  ...common,
  route: `${ROUTE}/{id}`,
  methods: ['PATCH'],
  handler: update,
});
app.http('accessReviewDefinitionReplace', {
  ...common,
  route: `${ROUTE}/{id}`,
  methods: ['PUT'],
  handler: replace,
});
app.http('accessReviewDefinitionStop', {
  ...common,
  route: `${ROUTE}/{id}/stop`,
  methods: ['POST'],
  extraInputs,
  handler: stop,
});
app.http('accessReviewDefinitionDelete', {
  ...common,
  route: `${ROUTE}/{id}`,
  methods: ['DELETE'],
  extraInputs,
  handler: remove,
});
