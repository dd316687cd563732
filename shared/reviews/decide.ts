/**
 * Records one reviewer's decision on one decision item — the one way decisions are written, from the API (PATCH
 * .../decisions/{id}, batchRecordDecisions, acceptRecommendations) and from the review page's POST. Only while the
 * instance is InProgress (and not being stopped) and, in a multi-stage review, while the item's stage is the one in
 * progress; only by a user in the item's `reviewerIds` (admins manage reviews, they don't decide them); a reason is required on Approve when the series says so. The write is ETag-guarded
 * and audited. Decisions go straight to Cosmos: the instance's orchestration never hears of them.
 */
import type { AuditWriter } from '../audit/domain/audit-record';
import type { Clock } from '../clock';
import type { Stored } from '../storage/stored';
import { NotFoundError } from '../storage/errors';
import { decisionRecordedRecord } from './domain/decision-audit-records';
import { refuse, type Refusal } from './domain/refusal';
import { itemStageClosed } from './domain/review-stages';
import type { ReviewDecision } from './domain/review-decision';
import type { ReviewInstance } from './domain/review-instance';
import type { ReviewStore } from './adapters/review-store';

export type ReviewerDecision = 'Approve' | 'Deny' | 'DontKnow';

export interface DecideServices {
  reviews: ReviewStore;
  audit: AuditWriter;
  clock: Clock;
}

export interface RecordDecisionInput {
  instanceId: string;
  /** Saves a cross-partition lookup of the instance when known. */
  definitionId?: string;
  decisionId: string;
  reviewer: { id: string; displayName: string | null; userPrincipalName?: string | null };
  decision: ReviewerDecision;
  justification: string | null;
  /** The caller is an admin: only the wording of a refusal changes (admins don't decide). */
  asAdmin?: boolean;
  /** The instance and settings, when the caller has just read them (batch operations). */
  preloaded?: { instance: ReviewInstance; justificationRequiredOnApproval: boolean };
}

export type RecordDecisionResult = { ok: true; item: Stored<ReviewDecision> } | Refusal;

export const MAX_JUSTIFICATION = 1000;
const DECISIONS: readonly string[] = ['Approve', 'Deny', 'DontKnow'];

/** Whether decisions can be taken on this instance now, or why not. */
export function decisionsOpen(instance: ReviewInstance): string | undefined {
  if (instance.status !== 'InProgress')
    return `The review is ${instance.status}; decisions can be recorded only while it is InProgress`;
  if (instance.stoppedBy) return 'The review has been stopped; decisions can no longer be recorded';
  return undefined;
}

export async function recordDecision(
  services: DecideServices,
  input: RecordDecisionInput,
): Promise<RecordDecisionResult> {
  if (!DECISIONS.includes(input.decision))
    return refuse('invalid', "decision must be 'Approve', 'Deny' or 'DontKnow'");
  const justification = input.justification?.trim() ? input.justification.trim() : null;
  if (justification && justification.length > MAX_JUSTIFICATION)
    return refuse('invalid', `justification must be at most ${MAX_JUSTIFICATION} characters`);

  let instance: ReviewInstance | undefined = input.preloaded?.instance;
  let justificationRequired = input.preloaded?.justificationRequiredOnApproval;
  if (!instance) {
    instance = input.definitionId
      ? await services.reviews.instances.find(input.instanceId, input.definitionId)
      : await services.reviews.findInstance(input.instanceId);
  }
  if (!instance || (input.definitionId && instance.definitionId !== input.definitionId))
    return refuse('notFound', `No access review instance ${input.instanceId}`);
  if (justificationRequired === undefined) {
    const definition = await services.reviews.definitions.find(instance.definitionId, instance.definitionId);
    if (!definition) return refuse('notFound', `No access review definition ${instance.definitionId}`);
    justificationRequired = definition.settings.justificationRequiredOnApproval;
  }

  const item = await services.reviews.decisions.find(input.decisionId, instance.id);
  if (!item) return refuse('notFound', `No decision item ${input.decisionId} in this review`);
  const reviewerId = input.reviewer.id.toLowerCase();
  if (!item.reviewerIds.includes(reviewerId))
    return refuse(
      'forbidden',
      input.asAdmin
        ? 'Admins manage access reviews but only the item’s reviewers decide it'
        : 'You are not a reviewer of this item',
    );
  const closed = decisionsOpen(instance);
  if (closed) return refuse('conflict', closed);
  // Multi-stage: only the stage in progress decides; an item whose stage closed keeps its decision.
  const stageClosed = itemStageClosed(instance, item);
  if (stageClosed) return refuse('invalid', stageClosed);
  if (input.decision === 'Approve' && justificationRequired && !justification)
    return refuse('invalid', 'This review requires a justification to approve access');

  const now = services.clock.now().toISOString();
  const reviewedBy = {
    id: reviewerId,
    displayName: input.reviewer.displayName,
    userPrincipalName: input.reviewer.userPrincipalName ?? null,
  };
  let result: { document: Stored<ReviewDecision>; changed: boolean };
  try {
    result = await services.reviews.decisions.update(item.id, instance.id, (current) =>
      current.reviewerIds.includes(reviewerId) && current.stageId === item.stageId
        ? {
            ...current,
            decision: input.decision,
            justification,
            reviewedBy,
            reviewedDateTime: now,
          }
        : undefined,
    );
  } catch (err) {
    if (err instanceof NotFoundError)
      return refuse('notFound', `No decision item ${input.decisionId} in this review`);
    throw err;
  }
  if (!result.changed) return refuse('forbidden', 'You are no longer a reviewer of this item');
  const doc = result.document;
  await services.audit.record(
    decisionRecordedRecord(doc, reviewedBy, input.decision, justification, services.clock.now()),
  );
  return { ok: true, item: doc };
}
