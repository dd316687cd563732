/**
 * An access review instance's decision items, and a multi-stage instance's stages with their items, Graph-shaped:
 * `.../definitions/{definitionId}/instances/{instanceId}/decisions` (GET, `$filter` on decision and principalId,
 * `$top`, paging; or the whole result as CSV with `Accept: text/csv` or `$format=csv`), `.../decisions/
 * filterByCurrentUser(on='reviewer')` (the same, only the caller's items) and `.../decisions/{id}` (GET,
 * PATCH `{ decision, justification }`). Admins and auditors read every item; a reviewer reads and decides only
 * their own items. Multi-stage: `.../instances/{id}/stages[/{stageId}]` (GET) and
 * `.../stages/{stageId}/decisions[/{id}]` (GET, PATCH in the stage in progress only). See docs/api/access-reviews.md.
 */
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import { graphEnum } from '../shared/graph-enum';
import { refuseAppOnly } from '../shared/http/caller';
import { BY_CURRENT_USER, currentUserOn } from '../shared/http/current-user';
import { parseJsonBody } from '../shared/http/json-body';
import {
  checkQueryOptions,
  collection,
  nextLink,
  ODataError,
  parseFilter,
  parseSkipToken,
  parseTop,
} from '../shared/http/odata';
import { problem } from '../shared/http/problem';
import { collectionContext, withEntityContext } from '../shared/http/odata-shape';
import { decisionsIn, stagesOf } from '../shared/reviews/http/review-contexts';
import { getAppServices } from '../shared/composition-root';
import { DECISIONS_CSV_HEADER, decisionCsvRow } from '../shared/reviews/http/decisions-csv';
import { csvFile, csvRow } from '../shared/http/csv';
import { decisionsOpen, MAX_JUSTIFICATION, recordDecision } from '../shared/reviews/decide';
import { decisionView } from '../shared/reviews/http/decision-view';
import {
  INSTANCES_ROUTE,
  resolveInstance,
  REVIEWS_ON,
  REVIEWS_USER_ONLY,
} from '../shared/reviews/http/instance-api';
import { refusalResponse } from '../shared/reviews/http/refusal';
import { reviewerOf } from '../shared/reviews/domain/reviewer-access';
import {
  applyResultSchema,
  decisionValueSchema,
  type ApplyResult,
  type DecisionValue,
  type ReviewDecision,
} from '../shared/reviews/domain/review-decision';
import { itemInStage, stageClosed } from '../shared/reviews/domain/review-stages';
import { routeStage, stageView } from '../shared/reviews/http/stage-view';
import type { DecisionFilter } from '../shared/reviews/adapters/review-store';

const DECISIONS = `${INSTANCES_ROUTE}/{instanceId}/decisions`;
const STAGES = `${INSTANCES_ROUTE}/{instanceId}/stages`;
const MAX_EXPORT_ROWS = 100_000;
const FILTER_FIELDS: Record<string, 'decision' | 'principalId' | 'applyResult'> = {
  decision: 'decision',
  principalId: 'principalId',
  'principal/id': 'principalId',
  // Azure roles: `applyResult eq 'ApplyNotSupported'` lists the denials left to an admin (access through a group).
  applyResult: 'applyResult',
};

const patchSchema = z.strictObject({
  '@odata.type': z.literal('#microsoft.graph.accessReviewInstanceDecisionItem').optional(),
  decision: graphEnum(['Approve', 'Deny', 'DontKnow'], {
    message: "must be 'Approve', 'Deny' or 'DontKnow'",
  }),
  justification: z.string().max(MAX_JUSTIFICATION).nullable().optional(),
});

interface DecisionQuery {
  decision?: DecisionValue;
  applyResult?: ApplyResult;
  principalId?: string;
  top: number;
  skipToken?: string;
  csv: boolean;
}

function parseQuery(request: HttpRequest): DecisionQuery {
  checkQueryOptions(request, ['$filter', '$top', '$skiptoken', '$format']);
  const q: DecisionQuery = {
    top: parseTop(request, 100, 999),
    skipToken: parseSkipToken(request),
    csv: false,
  };
  for (const clause of parseFilter(request.query.get('$filter'))) {
    const field = FILTER_FIELDS[clause.field];
    if (!field)
      throw new ODataError(
        `$filter on "${clause.field}" is not supported; use decision, principalId (or principal/id), applyResult`,
      );
    if (clause.op !== 'eq' || !clause.quoted)
      throw new ODataError(`$filter on "${clause.field}" supports only ${clause.field} eq 'value'`);
    if (field === 'decision') {
      const d = decisionValueSchema.safeParse(clause.value);
      if (!d.success) throw new ODataError("decision must be 'Approve', 'Deny', 'NotReviewed' or 'DontKnow'");
      q.decision = d.data;
    } else if (field === 'applyResult') {
      const r = applyResultSchema.safeParse(clause.value);
      if (!r.success)
        throw new ODataError(`applyResult must be one of ${applyResultSchema.options.join(', ')}`);
      q.applyResult = r.data;
    } else {
      if (!z.guid().safeParse(clause.value).success) throw new ODataError('principalId must be a GUID');
      q.principalId = clause.value.toLowerCase();
    }
  }
  const format = request.query.get('$format');
  if (format !== null && !['csv', 'text/csv', 'json', 'application/json'].includes(format.toLowerCase()))
    throw new ODataError('$format must be csv or json');
  const accept = request.headers.get('accept') ?? '';
  q.csv = format !== null ? format.toLowerCase().includes('csv') : /\btext\/csv\b/i.test(accept);
  return q;
}

/** The instance and, on a stage's route, the stage (404 for a stage the instance doesn't have). */
async function resolveRoute(request: HttpRequest, onStage: boolean) {
  const r = await resolveInstance(await getAppServices(), request, 'read');
  if (!r.ok) return r;
  if (!onStage) return { ...r, stage: undefined };
  const s = routeStage(r.instance, request.params.stageId);
  return s.ok ? { ...r, stage: s.stage } : s;
}

/**
 * The list — an instance's items, or on a stage's route that stage's; with `currentUser`
 * (filterByCurrentUser(on='reviewer')) only the items the caller reviews, whoever they are (an admin's own too).
 */
async function listDecisions(
  request: HttpRequest,
  { onStage = false, currentUser = false } = {},
): Promise<HttpResponseInit> {
  if (currentUser) {
    const on = currentUserOn(request, REVIEWS_ON);
    if (!on.ok) return on.response;
  }
  const r = await resolveRoute(request, onStage);
  if (!r.ok) return r.response;
  if (currentUser) {
    const appOnly = refuseAppOnly(r.caller, REVIEWS_USER_ONLY);
    if (appOnly) return appOnly;
  }
  const onlyMine = currentUser || !r.readsAll;
  const stage = r.stage;
  // A stage's items as that stage saw them; the instance's as they stand (their final or current decision).
  const view = (item: ReviewDecision) => decisionView(stage ? itemInStage(item, stage.stageId) : item);
  let q: DecisionQuery;
  try {
    q = parseQuery(request);
  } catch (err) {
    if (err instanceof ODataError) return problem(400, err.message);
    throw err;
  }
  const filter: Omit<DecisionFilter, 'pageSize'> = {
    instanceId: r.instance.id,
    ...(q.decision ? { decision: q.decision } : {}),
    ...(q.principalId ? { principalId: q.principalId } : {}),
    ...(q.applyResult ? { applyResult: q.applyResult } : {}),
    ...(stage ? { inStage: stage.stageId } : {}),
    // Reviewers see only the items they review; admins and auditors all of them.
    ...(onlyMine ? { reviewerId: r.caller.objectId.toLowerCase() } : {}),
  };
  try {
    if (q.csv) {
      let body = csvRow(DECISIONS_CSV_HEADER);
      let rows = 0;
      let token = q.skipToken;
      do {
        const page = await r.s.reviews.listDecisions({ ...filter, pageSize: 1000, continuationToken: token });
        for (const item of page.items)
          body += decisionCsvRow(stage ? itemInStage(item, stage.stageId) : item);
        rows += page.items.length;
        token = page.continuationToken;
        if (rows > MAX_EXPORT_ROWS)
          return problem(400, `The export would hold more than ${MAX_EXPORT_ROWS} rows: filter it`);
      } while (token);
      return csvFile(`pimflow-access-review-${r.instance.id}.csv`, body);
    }
    const page = await r.s.reviews.listDecisions({
      ...filter,
      pageSize: q.top,
      continuationToken: q.skipToken,
    });
    return {
      jsonBody: collection(
        collectionContext(request, decisionsIn(r.instance, stage)),
        page.items.map(view),
        nextLink(request, page.continuationToken),
      ),
    };
  } catch (err) {
    if (q.skipToken !== undefined && (err as { code?: unknown } | null)?.code === 400)
      return problem(400, '$skiptoken is not one this API issued');
    throw err;
  }
}

async function visibleItem(request: HttpRequest, onStage: boolean) {
  const r = await resolveRoute(request, onStage);
  if (!r.ok) return r;
  const decisionId = r.params.decisionId as string;
  const item = await r.s.reviews.decisions.find(decisionId, r.instance.id);
  const where = r.stage ? `stage ${r.stage.stageId} of this review` : 'this review';
  if (
    !item ||
    (r.stage && !item.stageIds?.includes(r.stage.stageId)) ||
    (!r.readsAll && !item.reviewerIds.includes(r.caller.objectId.toLowerCase()))
  )
    return { ok: false as const, response: problem(404, `No decision item ${decisionId} in ${where}`) };
  return { ...r, item: r.stage ? itemInStage(item, r.stage.stageId) : item };
}

async function getDecision(request: HttpRequest, onStage = false): Promise<HttpResponseInit> {
  const v = await visibleItem(request, onStage);
  return v.ok
    ? { jsonBody: withEntityContext(request, decisionsIn(v.instance, v.stage), decisionView(v.item)) }
    : v.response;
}

async function patchDecision(request: HttpRequest, onStage = false): Promise<HttpResponseInit> {
  const r = await resolveRoute(request, onStage);
  if (!r.ok) return r.response;
  const appOnly = refuseAppOnly(r.caller, 'decide access review items');
  if (appOnly) return appOnly;
  const body = await parseJsonBody(request, patchSchema);
  if (!body.ok) return body.response;
  // On a stage's route, while the review takes decisions: that stage must be the one in progress, and the item in it.
  if (r.stage && !decisionsOpen(r.instance)) {
    const closed = stageClosed(r.instance, r.stage);
    if (closed) return problem(400, closed);
    const item = await r.s.reviews.decisions.find(r.params.decisionId as string, r.instance.id);
    if (item?.stageIds?.includes(r.stage.stageId) && item.stageId !== r.stage.stageId)
      return problem(400, `This item moved on to stage ${item.stageId}: decide it there`);
    if (!item?.stageIds?.includes(r.stage.stageId))
      return problem(
        404,
        `No decision item ${r.params.decisionId} in stage ${r.stage.stageId} of this review`,
      );
  }
  const result = await recordDecision(r.s, {
    instanceId: r.instance.id,
    definitionId: r.instance.definitionId,
    decisionId: r.params.decisionId as string,
    reviewer: reviewerOf(r.caller),
    decision: body.value.decision,
    justification: body.value.justification ?? null,
    asAdmin: r.isAdmin,
    preloaded: {
      instance: r.instance,
      justificationRequiredOnApproval: r.definition.settings.justificationRequiredOnApproval,
    },
  });
  return result.ok ? { status: 204 } : refusalResponse(result);
}

async function listStages(request: HttpRequest): Promise<HttpResponseInit> {
  const r = await resolveInstance(await getAppServices(), request, 'read');
  if (!r.ok) return r.response;
  return {
    jsonBody: collection(
      collectionContext(request, stagesOf(r.instance)),
      (r.instance.stages ?? []).map(stageView),
    ),
  };
}

async function getStage(request: HttpRequest): Promise<HttpResponseInit> {
  const r = await resolveRoute(request, true);
  if (!r.ok) return r.response;
  return r.stage
    ? { jsonBody: withEntityContext(request, stagesOf(r.instance), stageView(r.stage)) }
    : problem(404, 'The route names no stage');
}

app.http('accessReviewDecisionsList', {
  route: DECISIONS,
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: (request: HttpRequest) => listDecisions(request),
});
// Named to sort before ...Get (shared/http/current-user.ts).
app.http('accessReviewDecisionsByCurrentUser', {
  route: `${DECISIONS}/${BY_CURRENT_USER}`,
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: (request: HttpRequest) => listDecisions(request, { currentUser: true }),
});
app.http('accessReviewDecisionsGet', {
  route: `${DECISIONS}/{decisionId}`,
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: (request) => getDecision(request),
});
app.http('accessReviewDecisionsPatch', {
  route: `${DECISIONS}/{decisionId}`,
  methods: ['PATCH'],
  authLevel: 'anonymous',
  handler: (request) => patchDecision(request),
});
app.http('accessReviewStagesList', {
  route: STAGES,
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: listStages,
});
app.http('accessReviewStagesGet', {
  route: `${STAGES}/{stageId}`,
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: getStage,
});
app.http('accessReviewStageDecisionsList', {
  route: `${STAGES}/{stageId}/decisions`,
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: (request) => listDecisions(request, { onStage: true }),
});
app.http('accessReviewStageDecisionsGet', {
  route: `${STAGES}/{stageId}/decisions/{decisionId}`,
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: (request) => getDecision(request, true),
});
app.http('accessReviewStageDecisionsPatch', {
  route: `${STAGES}/{stageId}/decisions/{decisionId}`,
  methods: ['PATCH'],
  authLevel: 'anonymous',
  handler: (request) => patchDecision(request, true),
});
