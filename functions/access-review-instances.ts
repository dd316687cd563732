/**
 * Access review instances, Graph-shaped, under /api/identityGovernance/accessReviews/definitions/{definitionId}/:
 * `instances` (GET list), `instances/{id}` (GET; PATCH the current instance's reviewers and fallback reviewers), and
 * the actions `stop` (final), `resetDecisions`, `acceptRecommendations`, `batchRecordDecisions`, `sendReminder`,
 * plus `contactedReviewers`. Decisions are written to Cosmos here (through recordDecision), never sent to the
 * instance's orchestration; only `stop` signals it. See docs/api/access-reviews.md.
 */
import { randomUUID } from 'node:crypto';
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { z } from 'zod';
import { userActor } from '../shared/audit/domain/audit-entry';
import { refuseAppOnly } from '../shared/http/caller';
import { parseJsonBody } from '../shared/http/json-body';
import {
  checkQueryOptions,
  collection,
  nextLink,
  ODataError,
  parseSkipToken,
  parseTop,
} from '../shared/http/odata';
import { problem } from '../shared/http/problem';
import { decisionsOpen, MAX_JUSTIFICATION, recordDecision } from '../shared/reviews/decide';
import type { InstanceActivities } from '../shared/reviews/instance-activities';
import { instanceActivitiesOf, stopDepsOf } from './access-review-services';
import { refusalResponse } from '../shared/reviews/http/refusal';
import {
  INSTANCES_ROUTE,
  refusal,
  resolveDefinition,
  resolveInstance,
  reviewerOf,
  type ResolvedInstance,
} from '../shared/reviews/http/instance-api';
import { instanceView } from '../shared/reviews/http/instance-view';
import { reviewerScopeSchema } from '../shared/reviews/domain/review-definition';
import type { ReviewDecision } from '../shared/reviews/domain/review-decision';
import { stopReviewInstance } from '../shared/reviews/stop-instance';
import { fallbackUserIds, reresolvePendingReviewers, reviewerPlan } from '../shared/reviews/reviewers';
import { ConcurrencyConflictError } from '../shared/storage/errors';

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
  decision: z.enum(['Approve', 'Deny', 'DontKnow'], { message: "must be 'Approve', 'Deny' or 'DontKnow'" }),
  justification: z.string().max(MAX_JUSTIFICATION).nullable().optional(),
  principalId: z.guid({ message: 'must be a principal id (a GUID)' }).optional(),
  resourceId: z.guid({ message: 'must be a group id (a GUID)' }).optional(),
});

/** Actions take no body (Graph's don't); anything sent must be empty JSON. */
const emptySchema = z.union([z.undefined(), z.strictObject({})], { message: 'this action takes no body' });

async function listInstances(request: HttpRequest): Promise<HttpResponseInit> {
  const r = await resolveDefinition(request);
  if (!r.ok) return r.response;
  if (!r.readsAll)
    return problem(403, 'Only admins and auditors (PimFlow.Admin, PimFlow.Auditor) list instances');
  let top: number;
  let skipToken: string | undefined;
  try {
    checkQueryOptions(request, ['$top', '$skiptoken']);
    top = parseTop(request, 100, 999);
    skipToken = parseSkipToken(request);
  } catch (err) {
    if (err instanceof ODataError) return problem(400, err.message);
    throw err;
  }
  let page;
  try {
    page = await r.s.reviews.listInstances(r.definition.id, top, skipToken);
  } catch (err) {
    if (skipToken !== undefined && (err as { code?: unknown } | null)?.code === 400)
      return problem(400, '$skiptoken is not one this API issued');
    throw err;
  }
  return {
    jsonBody: collection(
      '$metadata#accessReviewInstances',
      page.items.map(instanceView),
      nextLink(request, page.continuationToken),
    ),
  };
}

async function getInstance(request: HttpRequest): Promise<HttpResponseInit> {
  const r = await resolveInstance(request, 'read');
  if (!r.ok) return r.response;
  return { jsonBody: instanceView(r.instance) };
}

/** Reviewers of the current instance: added or removed; fallback reviewers only added. Pending items follow. */
async function patchInstance(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const r = await resolveInstance(request, 'admin');
  if (!r.ok) return r.response;
  const body = await parseJsonBody(request, patchSchema);
  if (!body.ok) return body.response;
  const { s, instance } = r;
  const current = currentOnly(instance);
  if (current) return current;
  const reviewers = body.value.reviewers ?? instance.reviewers;
  const fallbackReviewers = body.value.fallbackReviewers ?? instance.fallbackReviewers;
  const plan = reviewerPlan(reviewers, fallbackReviewers);
  if ('error' in plan) return problem(400, plan.error);
  const before = fallbackUserIds(instance.fallbackReviewers);
  const removed = 'error' in before ? [] : before.ids.filter((id) => !plan.fallback.includes(id));
  if (removed.length > 0)
    return problem(
      400,
      `Fallback reviewers can be added but not removed while a review runs: keep /users/${removed.join(', /users/')}`,
    );
  const named = [...new Set([...plan.users, ...plan.fallback])];
  if (named.length > 0) {
    const users = await s.directory.getUsers(named);
    const unknown = named.filter((id) => !users[id]);
    if (unknown.length > 0) return problem(400, `No such user: ${unknown.join(', ')}`);
  }
  let updated;
  try {
    updated = await s.reviews.instances.update(instance.id, instance.definitionId, (i) =>
      i.status === instance.status && i.stoppedBy === null
        ? { ...i, reviewers, fallbackReviewers }
        : undefined,
    );
  } catch (err) {
    if (err instanceof ConcurrencyConflictError)
      return problem(409, 'The instance keeps changing; try again');
    throw err;
  }
  if (!updated.changed) return problem(409, 'The instance changed meanwhile (it completed or was stopped)');
  const changedItems = await reresolvePendingReviewers(s, updated.document);
  await s.audit.record({
    id: `review-instance:${instance.id}:reviewers:${updated.document._etag.replace(/"/g, '')}`,
    activityDateTime: s.clock.now(),
    activityDisplayName: 'Access review reviewers changed (current instance)',
    category: 'AccessReview',
    operationType: 'Update',
    result: 'success',
    initiatedBy: userActor(r.caller.objectId, r.caller.displayName, r.caller.userPrincipalName),
    targetResources: [{ id: instance.groupId, displayName: instance.groupDisplayName, type: 'Group' }],
    groupId: instance.groupId,
    correlationId: instance.id,
    details: {
      definitionId: instance.definitionId,
      instanceId: instance.id,
      reviewers: reviewers.map((x) => x.query).join(' ') || '(self)',
      fallbackReviewers: fallbackReviewers.map((x) => x.query).join(' '),
      itemsChanged: String(changedItems),
    },
  });
  // Reviewers added to a running review get their start mail (those already mailed don't get another).
  if (updated.document.status === 'InProgress') {
    try {
      await mailAll(instanceActivitiesOf(s), instance, 'start', { onlyNew: true });
    } catch (err) {
      context.warn(`Reviewers of ${instance.id} changed, but mailing the new ones failed: ${String(err)}`);
    }
  }
  return { status: 204 };
}

async function stopInstance(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const r = await resolveInstance(request, 'admin');
  if (!r.ok) return r.response;
  const empty = await parseJsonBody(request, emptySchema);
  if (!empty.ok) return empty.response;
  const client = df.getClient(context);
  const stopped = await stopReviewInstance(stopDepsOf(r.s, client, context), r.instance, r.caller);
  return stopped.ok ? { status: 204 } : refusalResponse(stopped);
}

/** Every decision back to NotReviewed (while in progress). */
async function resetDecisions(request: HttpRequest): Promise<HttpResponseInit> {
  const r = await resolveInstance(request, 'admin');
  if (!r.ok) return r.response;
  const empty = await parseJsonBody(request, emptySchema);
  if (!empty.ok) return empty.response;
  const { s, instance } = r;
  const closed = decisionsOpen(instance);
  if (closed) return problem(409, closed);
  let reset = 0;
  for (let round = 0; round < 10_000; round++) {
    const page = await s.reviews.decisions.queryPage(
      "SELECT * FROM c WHERE c.instanceId = @i AND c.decision != 'NotReviewed'",
      { '@i': instance.id },
      { partitionKey: instance.id, pageSize: 200 },
    );
    if (page.items.length === 0) break;
    for (const item of page.items) {
      const u = await s.reviews.decisions.update(item.id, item.instanceId, (c) =>
        c.decision === 'NotReviewed'
          ? undefined
          : { ...c, decision: 'NotReviewed', justification: null, reviewedBy: null, reviewedDateTime: null },
      );
      if (u.changed) reset++;
    }
  }
  await s.audit.record({
    id: `review-instance:${instance.id}:reset:${randomUUID()}`,
    activityDateTime: s.clock.now(),
    activityDisplayName: 'Access review decisions reset',
    category: 'AccessReview',
    operationType: 'Update',
    result: 'success',
    initiatedBy: userActor(r.caller.objectId, r.caller.displayName, r.caller.userPrincipalName),
    targetResources: [{ id: instance.groupId, displayName: instance.groupDisplayName, type: 'Group' }],
    groupId: instance.groupId,
    correlationId: instance.id,
    details: { definitionId: instance.definitionId, instanceId: instance.id, itemsReset: String(reset) },
  });
  return { status: 204 };
}

/** The caller's items not yet decided (optionally one principal's, or one resource's). */
async function pendingOf(r: ResolvedInstance, filter: { principalId?: string; resourceId?: string } = {}) {
  const items: ReviewDecision[] = [];
  let token: string | undefined;
  do {
    const page = await r.s.reviews.listDecisions({
      instanceId: r.instance.id,
      decision: 'NotReviewed',
      reviewerId: r.caller.objectId.toLowerCase(),
      ...(filter.principalId ? { principalId: filter.principalId.toLowerCase() } : {}),
      pageSize: 500,
      continuationToken: token,
    });
    items.push(
      ...page.items.filter(
        (i) => !filter.resourceId || i.resource.groupId === filter.resourceId.toLowerCase(),
      ),
    );
    token = page.continuationToken;
  } while (token);
  return items;
}

async function decideAll(
  r: ResolvedInstance,
  items: readonly ReviewDecision[],
  decisionOf: (item: ReviewDecision) => {
    decision: 'Approve' | 'Deny' | 'DontKnow';
    justification: string | null;
  },
): Promise<HttpResponseInit | undefined> {
  const preloaded = {
    instance: r.instance,
    justificationRequiredOnApproval: r.definition.settings.justificationRequiredOnApproval,
  };
  for (const item of items) {
    const d = decisionOf(item);
    const result = await recordDecision(r.s, {
      instanceId: r.instance.id,
      definitionId: r.instance.definitionId,
      decisionId: item.id,
      reviewer: reviewerOf(r.caller),
      decision: d.decision,
      justification: d.justification,
      asAdmin: r.isAdmin,
      preloaded,
    });
    // Someone else's write in between (a reset, a reviewer change) leaves that item; anything else stops here.
    if (!result.ok && result.status !== 403) return refusal(result);
  }
  return undefined;
}

async function acceptRecommendations(request: HttpRequest): Promise<HttpResponseInit> {
  const r = await resolveInstance(request, 'read');
  if (!r.ok) return r.response;
  const empty = await parseJsonBody(request, emptySchema);
  if (!empty.ok) return empty.response;
  const appOnly = refuseAppOnly(r.caller, 'decide access review items');
  if (appOnly) return appOnly;
  if (!r.isReviewer) return problem(403, 'Only the reviewers of this review decide its items');
  const closed = decisionsOpen(r.instance);
  if (closed) return problem(409, closed);
  const items = (await pendingOf(r)).filter((i) => i.recommendation !== 'NoInfoAvailable');
  const refused = await decideAll(r, items, (item) => ({
    decision: item.recommendation as 'Approve' | 'Deny',
    justification: `Accepted the recommendation (${
      item.lastSignInDateTime ? `last sign-in ${item.lastSignInDateTime}` : 'no sign-in on record'
    })`,
  }));
  return refused ?? { status: 204 };
}

async function batchRecordDecisions(request: HttpRequest): Promise<HttpResponseInit> {
  const r = await resolveInstance(request, 'read');
  if (!r.ok) return r.response;
  const body = await parseJsonBody(request, batchSchema);
  if (!body.ok) return body.response;
  const appOnly = refuseAppOnly(r.caller, 'decide access review items');
  if (appOnly) return appOnly;
  if (!r.isReviewer) return problem(403, 'Only the reviewers of this review decide its items');
  const closed = decisionsOpen(r.instance);
  if (closed) return problem(409, closed);
  const justification = body.value.justification?.trim() || null;
  if (
    body.value.decision === 'Approve' &&
    !justification &&
    r.definition.settings.justificationRequiredOnApproval
  )
    return problem(400, 'This review requires a justification to approve access');
  const items = await pendingOf(r, body.value);
  const refused = await decideAll(r, items, () => ({ decision: body.value.decision, justification }));
  return refused ?? { status: 204 };
}

async function sendReminder(request: HttpRequest): Promise<HttpResponseInit> {
  const r = await resolveInstance(request, 'admin');
  if (!r.ok) return r.response;
  const empty = await parseJsonBody(request, emptySchema);
  if (!empty.ok) return empty.response;
  const closed = decisionsOpen(r.instance);
  if (closed) return problem(409, closed);
  await mailAll(instanceActivitiesOf(r.s), r.instance, 'reminder', {
    force: true,
    round: r.s.clock.now().toISOString(),
  });
  return { status: 204 };
}

async function mailAll(
  activities: InstanceActivities,
  instance: { id: string; definitionId: string },
  kind: 'start' | 'reminder',
  options: { force?: boolean; round?: string; onlyNew?: boolean },
): Promise<number> {
  let after: string | null = null;
  let mailed = 0;
  do {
    const res = await activities.mailReviewers({
      definitionId: instance.definitionId,
      instanceId: instance.id,
      kind,
      after,
      ...options,
    });
    mailed += res.mailed;
    after = res.after;
  } while (after !== null);
  return mailed;
}

async function contactedReviewers(request: HttpRequest): Promise<HttpResponseInit> {
  const r = await resolveInstance(request, 'read');
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
      '$metadata#Collection(microsoft.graph.accessReviewReviewer)',
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

/** PATCH and the reviewer changes are for the current instance only: not started yet or in progress. */
function currentOnly(instance: ResolvedInstance['instance']): HttpResponseInit | undefined {
  if ((instance.status === 'InProgress' || instance.status === 'NotStarted') && !instance.stoppedBy)
    return undefined;
  return problem(
    409,
    `The instance is ${instance.stoppedBy ? 'stopped' : instance.status}: only the current instance (NotStarted or InProgress) can change; change the series instead`,
  );
}

const extraInputs = [df.input.durableClient()];
app.http('accessReviewInstancesList', {
  route: INSTANCES_ROUTE,
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: listInstances,
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
  handler: acceptRecommendations,
});
app.http('accessReviewInstancesBatchRecordDecisions', {
  route: `${ITEM}/batchRecordDecisions`,
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: batchRecordDecisions,
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
