/**
 * A reviewer's decisions on many items at once — accepting the recommendations, or one decision for all pending items
 * (optionally one principal's or one resource's) — each through recordDecision, as if decided one by one.
 */
import type { CallerPrincipal } from '../auth/principal';
import { decisionsOpen, recordDecision, type DecideServices, type ReviewerDecision } from './decide';
import { acceptedRecommendationReason } from './domain/instance-rules';
import { refuse, type Refusal } from './domain/refusal';
import type { ReviewDecision } from './domain/review-decision';
import type { ReviewDefinition } from './domain/review-definition';
import type { ReviewInstance } from './domain/review-instance';
import { reviewerOf } from './domain/reviewer-access';
import { isRoleAtScope } from './domain/reviewed-role';
import { currentStage } from './domain/review-stages';

/** The instance, its series and the caller, as the route resolved them. */
export interface ReviewerContext {
  instance: ReviewInstance;
  definition: Pick<ReviewDefinition, 'settings'>;
  caller: CallerPrincipal;
  isAdmin: boolean;
  /** The caller reviews at least one item of the instance. */
  isReviewer: boolean;
}

type Done = { ok: true } | Refusal;

function whyNotDeciding(r: ReviewerContext): Refusal | undefined {
  if (!r.isReviewer) return refuse('forbidden', 'Only the reviewers of this review decide its items');
  const closed = decisionsOpen(r.instance);
  return closed ? refuse('conflict', closed) : undefined;
}

/** Decides each of the caller's pending items that has a recommendation as recommended. */
export async function acceptRecommendations(d: DecideServices, r: ReviewerContext): Promise<Done> {
  const refused = whyNotDeciding(r);
  if (refused) return refused;
  const items = (await pendingOf(d, r)).filter((i) => i.recommendation !== 'NoInfoAvailable');
  return decideAll(d, r, items, (item) => ({
    decision: item.recommendation as 'Approve' | 'Deny',
    justification: acceptedRecommendationReason(item),
  }));
}

/** One decision for the caller's pending items (optionally one principal's, or one resource's). */
export async function batchRecordDecisions(
  d: DecideServices,
  r: ReviewerContext,
  batch: {
    decision: ReviewerDecision;
    justification?: string | null;
    principalId?: string;
    resourceId?: string;
  },
): Promise<Done> {
  const refused = whyNotDeciding(r);
  if (refused) return refused;
  const justification = batch.justification?.trim() || null;
  if (batch.decision === 'Approve' && !justification && r.definition.settings.justificationRequiredOnApproval)
    return refuse('invalid', 'This review requires a justification to approve access');
  const items = await pendingOf(d, r, batch);
  return decideAll(d, r, items, () => ({ decision: batch.decision, justification }));
}

/** The caller's items not yet decided (optionally one principal's, or one resource's). */
async function pendingOf(
  d: DecideServices,
  r: ReviewerContext,
  filter: { principalId?: string; resourceId?: string } = {},
): Promise<ReviewDecision[]> {
  const items: ReviewDecision[] = [];
  let token: string | undefined;
  do {
    const page = await d.reviews.listDecisions({
      instanceId: r.instance.id,
      decision: 'NotReviewed',
      reviewerId: r.caller.objectId.toLowerCase(),
      ...(filter.principalId ? { principalId: filter.principalId.toLowerCase() } : {}),
      // Multi-stage: the items of the stage in progress (those of closed stages keep their decisions).
      ...(r.instance.stages ? { stageId: currentStage(r.instance)?.stageId ?? '' } : {}),
      pageSize: 500,
      continuationToken: token,
    });
    items.push(
      ...page.items.filter(
        (i) =>
          !filter.resourceId ||
          // A group's id; a directory role's definition id.
          (isRoleAtScope(i.resource) ? i.resource.accessId : i.resource.groupId) ===
            filter.resourceId.toLowerCase(),
      ),
    );
    token = page.continuationToken;
  } while (token);
  return items;
}

async function decideAll(
  d: DecideServices,
  r: ReviewerContext,
  items: readonly ReviewDecision[],
  decisionOf: (item: ReviewDecision) => { decision: ReviewerDecision; justification: string | null },
): Promise<Done> {
  const preloaded = {
    instance: r.instance,
    justificationRequiredOnApproval: r.definition.settings.justificationRequiredOnApproval,
  };
  for (const item of items) {
    const choice = decisionOf(item);
    const result = await recordDecision(d, {
      instanceId: r.instance.id,
      definitionId: r.instance.definitionId,
      decisionId: item.id,
      reviewer: reviewerOf(r.caller),
      decision: choice.decision,
      justification: choice.justification,
      asAdmin: r.isAdmin,
      preloaded,
    });
    // Someone else's write in between (a reset, a reviewer change) leaves that item; anything else stops here.
    if (!result.ok && result.reason !== 'forbidden') return result;
  }
  return { ok: true };
}
