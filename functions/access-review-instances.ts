/**
 * Access review instances, Graph-shaped, under /api/identityGovernance/accessReviews/definitions/{definitionId}/:
 * `instances` (GET list), `instances/filterByCurrentUser(on='reviewer')` (the caller's), `instances/{id}` (GET; PATCH the current instance's reviewers and fallback reviewers), and
 * the actions `stop` (final), `resetDecisions`, `acceptRecommendations`, `batchRecordDecisions`, `sendReminder`,
 * plus `contactedReviewers`. Decisions are written to Cosmos (through recordDecision), never sent to the instance's
 * orchestration; only `stop` signals it. The use cases are in shared/reviews/ (instance-admin.ts, bulk-decide.ts,
 * stop-instance.ts); here: routes, bodies, and answers. See docs/api/access-reviews.md.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { pagedList } from '../shared/http/paged-list';
import { z } from 'zod';
import { graphEnum } from '../shared/graph-enum';
import { getAppServices, type AppServices } from '../shared/composition-root';
import { refuseAppOnly } from '../shared/http/caller';
import { BY_CURRENT_USER, currentUserOn } from '../shared/http/current-user';
import { parseJsonBody } from '../shared/http/json-body';
import { checkQueryOptions, collection, ODataError } from '../shared/http/odata';
import { contextUrl, withEntityContext } from '../shared/http/odata-shape';
import { instancesOf } from '../shared/reviews/http/review-contexts';
import { problem } from '../shared/http/problem';
import { acceptRecommendations, batchRecordDecisions } from '../shared/reviews/bulk-decide';
import { MAX_JUSTIFICATION } from '../shared/reviews/decide';
import { reviewerScopeSchema } from '../shared/reviews/domain/review-definition';
import type { Refusal } from '../shared/reviews/domain/refusal';
import {
  INSTANCES_ROUTE,
  REVIEWS_ON,
  REVIEWS_USER_ONLY,
  resolveDefinition,
  resolveInstance,
  type ResolvedInstance,
} from '../shared/reviews/http/instance-api';
import { instanceView } from '../shared/reviews/http/instance-view';
import { refusalResponse } from '../shared/reviews/http/refusal';
import {
  changeInstanceReviewers,
  resetInstanceDecisions,
  sendInstanceReminder,
  type InstanceAdminDeps,
} from '../shared/reviews/instance-admin';
import { stopReviewInstance } from '../shared/reviews/stop-instance';
import { instanceActivitiesOf, stopDepsOf } from './access-review-services';

const ITEM = `${INSTANCES_ROUTE}/{instanceId}`;

const patchSchema = z
  .strictObject({
    '@odata.type': z.literal('#microsoft.graph.accessReviewInstance').optional(),
    reviewers: z.array(reviewerScopeSchema).max(50).optional(),
    fallbackReviewers: z.array(reviewerScopeSchema).max(50).optional(),
  })
  .refine((b) => b.reviewers !== undefined || b.fallbackReviewers !== undefined, {
    message: 'give reviewers, fallbackReviewers or both (only these can change on an instance)',
  });

const batchSchema = z.strictObject({
  decision: graphEnum(['Approve', 'Deny', 'DontKnow'], {
    message: "must be 'Approve', 'Deny' or 'DontKnow'",
  }),
  justification: z.string().max(MAX_JUSTIFICATION).nullable().optional(),
  principalId: z.guid({ message: 'must be a principal id (a GUID)' }).optional(),
  resourceId: z.guid({ message: 'must be a group id (a GUID)' }).optional(),
});

/** Actions take no body (Graph's don't); anything sent must be empty JSON. */
const emptySchema = z.union([z.undefined(), z.strictObject({})], { message: 'this action takes no body' });

type Route = ResolvedInstance<AppServices>;

async function instanceRoute(request: HttpRequest, need: 'read' | 'admin') {
  return resolveInstance(await getAppServices(), request, need);
}

function answer(result: { ok: true } | Refusal): HttpResponseInit {
  return result.ok ? { status: 204 } : refusalResponse(result);
}

function adminDeps(s: AppServices, warn?: (message: string) => void): InstanceAdminDeps {
  return { ...s, mailer: instanceActivitiesOf(s), warn };
}

async function listInstances(request: HttpRequest): Promise<HttpResponseInit> {
  const r = await resolveDefinition(await getAppServices(), request);
  if (!r.ok) return r.response;
  if (!r.readsAll)
    return problem(403, 'Only admins and auditors (PimFlow.Admin, PimFlow.Auditor) list instances');
  return pagedList(request, {
    context: instancesOf(r.definition.id),
    load: (q) => r.s.reviews.listInstances(r.definition.id, q.top, q.skipToken),
    view: instanceView,
  });
}

/** `filterByCurrentUser(on='reviewer')`: the definition's instances in which the caller reviews items. */
async function listInstancesReviewedByCaller(request: HttpRequest): Promise<HttpResponseInit> {
  const on = currentUserOn(request, REVIEWS_ON);
  if (!on.ok) return on.response;
  const r = await resolveDefinition(await getAppServices(), request);
  if (!r.ok) return r.response;
  const appOnly = refuseAppOnly(r.caller, REVIEWS_USER_ONLY);
  if (appOnly) return appOnly;
  const me = r.caller.objectId.toLowerCase();
  const ids = await r.s.reviews.reviewedBy(me, { instancesOf: r.definition.id });
  return pagedList(request, {
    context: '$metadata#accessReviewInstances',
    load: (q) => r.s.reviews.listInstancesAmong(r.definition.id, ids, q.top, q.skipToken),
    view: instanceView,
  });
}

async function getInstance(request: HttpRequest): Promise<HttpResponseInit> {
  const r = await instanceRoute(request, 'read');
  if (!r.ok) return r.response;
  return {
    jsonBody: withEntityContext(request, instancesOf(r.instance.definitionId), instanceView(r.instance)),
  };
}

async function patchInstance(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const r = await instanceRoute(request, 'admin');
  if (!r.ok) return r.response;
  const body = await parseJsonBody(request, patchSchema);
  if (!body.ok) return body.response;
  const deps = adminDeps(r.s, (message) => context.warn(message));
  return answer(await changeInstanceReviewers(deps, r.instance, body.value, r.caller));
}

async function stopInstance(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const r = await instanceRoute(request, 'admin');
  if (!r.ok) return r.response;
  const empty = await parseJsonBody(request, emptySchema);
  if (!empty.ok) return empty.response;
  const deps = stopDepsOf(r.s, df.getClient(context), context);
  return answer(await stopReviewInstance(deps, r.instance, r.caller));
}

async function resetDecisions(request: HttpRequest): Promise<HttpResponseInit> {
  const r = await instanceRoute(request, 'admin');
  if (!r.ok) return r.response;
  const empty = await parseJsonBody(request, emptySchema);
  if (!empty.ok) return empty.response;
  return answer(await resetInstanceDecisions(adminDeps(r.s), r.instance, r.caller));
}

/** Deciding is a person's: an app-only caller is refused before anything else about the items. */
function refusedAppOnly(r: Route): HttpResponseInit | undefined {
  return refuseAppOnly(r.caller, 'decide access review items');
}

async function acceptRecommendationsAction(request: HttpRequest): Promise<HttpResponseInit> {
  const r = await instanceRoute(request, 'read');
  if (!r.ok) return r.response;
  const empty = await parseJsonBody(request, emptySchema);
  if (!empty.ok) return empty.response;
  const appOnly = refusedAppOnly(r);
  if (appOnly) return appOnly;
  return answer(await acceptRecommendations(r.s, r));
}

async function batchRecordDecisionsAction(request: HttpRequest): Promise<HttpResponseInit> {
  const r = await instanceRoute(request, 'read');
  if (!r.ok) return r.response;
  const body = await parseJsonBody(request, batchSchema);
  if (!body.ok) return body.response;
  const appOnly = refusedAppOnly(r);
  if (appOnly) return appOnly;
  return answer(await batchRecordDecisions(r.s, r, body.value));
}

async function sendReminder(request: HttpRequest): Promise<HttpResponseInit> {
  const r = await instanceRoute(request, 'admin');
  if (!r.ok) return r.response;
  const empty = await parseJsonBody(request, emptySchema);
  if (!empty.ok) return empty.response;
  return answer(await sendInstanceReminder(adminDeps(r.s), r.instance));
}

async function contactedReviewers(request: HttpRequest): Promise<HttpResponseInit> {
  const r = await instanceRoute(request, 'read');
  if (!r.ok) return r.response;
  if (!r.readsAll) return problem(403, 'Only admins and auditors see who was contacted');
  try {
    checkQueryOptions(request, []);
  } catch (err) {
    if (err instanceof ODataError) return problem(400, err.message);
    throw err;
  }
  const ids = r.instance.contactedReviewerIds;
  const users = ids.length > 0 ? await r.s.directory.getUsers(ids) : {};
  return {
    jsonBody: collection(
      contextUrl(request.url, 'Collection(microsoft.graph.accessReviewReviewer)'),
      ids.map((id) => ({
        '@odata.type': '#microsoft.graph.accessReviewReviewer',
        id,
        displayName: users[id]?.displayName ?? null,
        userPrincipalName: users[id]?.userPrincipalName ?? null,
        createdDateTime: null,
      })),
    ),
  };
}

const extraInputs = [df.input.durableClient()];
app.http('accessReviewInstancesList', {
  route: INSTANCES_ROUTE,
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: listInstances,
});
// Named to sort before ...Get (shared/http/current-user.ts).
app.http('accessReviewInstancesByCurrentUser', {
  route: `${INSTANCES_ROUTE}/${BY_CURRENT_USER}`,
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: listInstancesReviewedByCaller,
});
app.http('accessReviewInstancesGet', {
  route: ITEM,
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: getInstance,
});
app.http('accessReviewInstancesPatch', {
  route: ITEM,
  methods: ['PATCH'],
  authLevel: 'anonymous',
  extraInputs,
  handler: patchInstance,
});
app.http('accessReviewInstancesStop', {
  route: `${ITEM}/stop`,
  methods: ['POST'],
  authLevel: 'anonymous',
  extraInputs,
  handler: stopInstance,
});
app.http('accessReviewInstancesResetDecisions', {
  route: `${ITEM}/resetDecisions`,
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: resetDecisions,
});
app.http('accessReviewInstancesAcceptRecommendations', {
  route: `${ITEM}/acceptRecommendations`,
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: acceptRecommendationsAction,
});
app.http('accessReviewInstancesBatchRecordDecisions', {
  route: `${ITEM}/batchRecordDecisions`,
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: batchRecordDecisionsAction,
});
app.http('accessReviewInstancesSendReminder', {
  route: `${ITEM}/sendReminder`,
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: sendReminder,
});
app.http('accessReviewInstancesContactedReviewers', {
  route: `${ITEM}/contactedReviewers`,
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: contactedReviewers,
});
