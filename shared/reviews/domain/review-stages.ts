/**
 * Multi-stage reviews, as Graph's `stageSettings`: up to three stages run one after the other inside each instance,
 * each with its own reviewers and duration. Stage 1 reviews the snapshot; each next stage reviews the items whose
 * decision at the end of the stage before is in that earlier stage's `decisionsThatWillMoveToNextStage` (Graph reads
 * the list on the stage whose decisions move; absent means every decision moves on). Items that don't move on keep
 * their decision as final. The instance lasts the sum of the stages' durations (Graph: it overrides
 * `instanceDurationInDays`), and the definition's own reviewers are not used (Graph ignores them too).
 */
import { guidFrom } from '../../deterministic-id';
import type { DecisionValue, ReviewDecision } from './review-decision';
import type { ReviewDefinition, ReviewerScope, StageSettings } from './review-definition';
import type { InstanceStage, ReviewInstance } from './review-instance';

const DAY_MS = 86_400_000;

/** Why these stages can't run (the first problem, naming the field to fix), or undefined. */
export function checkStages(stages: readonly StageSettings[]): string | undefined {
  const ids = new Set<string>();
  for (const [i, s] of stages.entries()) {
    if (ids.has(s.stageId))
      return `stageSettings[${i}].stageId "${s.stageId}" is used twice: stage ids are unique`;
    ids.add(s.stageId);
    if (s.decisionsThatWillMoveToNextStage?.includes('Recommendation'))
      return `stageSettings[${i}].decisionsThatWillMoveToNextStage: "Recommendation" is not supported; list the decisions that move on (Approve, Deny, NotReviewed, DontKnow)`;
  }
  const roots = stages.filter((s) => s.dependsOn.length === 0);
  if (roots.length !== 1)
    return `stageSettings: exactly one stage (the first) must have no dependsOn; ${roots.length} have none`;
  for (const [i, s] of stages.entries()) {
    if (s.dependsOn.length > 1)
      return `stageSettings[${i}].dependsOn: a stage depends on one stage (the one before it); stages run one after the other`;
    const on = s.dependsOn[0];
    if (on === undefined) continue;
    if (on === s.stageId) return `stageSettings[${i}].dependsOn: stage "${s.stageId}" can't depend on itself`;
    if (!ids.has(on)) return `stageSettings[${i}].dependsOn: no stage "${on}" in stageSettings`;
    const twin = stages.findIndex((t, j) => j !== i && t.dependsOn[0] === on);
    if (twin >= 0)
      return `stageSettings[${i}] and stageSettings[${twin}] both depend on stage "${on}": stages run one after the other (parallel stages are not supported)`;
  }
  // One root, each stage after exactly one other, no two after the same one: a chain, unless it has a cycle.
  if (inOrder(stages).length !== stages.length)
    return 'stageSettings: dependsOn must form one chain from the first stage (it has a cycle)';
  return undefined;
}

/** The stages in the order they run (following dependsOn from the one that depends on nothing). */
export function inOrder<T extends Pick<StageSettings, 'stageId' | 'dependsOn'>>(stages: readonly T[]): T[] {
  const ordered: T[] = [];
  let next = stages.find((s) => s.dependsOn.length === 0);
  while (next && !ordered.includes(next)) {
    ordered.push(next);
    const id: string = next.stageId;
    next = stages.find((s) => s.dependsOn[0] === id);
  }
  return ordered;
}

/**
 * The definition as stored: stages in running order, and `instanceDurationInDays` the sum of their durations (Graph's
 * rule). Unchanged without stages.
 */
export function withStageDuration<T extends Pick<ReviewDefinition, 'stageSettings' | 'settings'>>(d: T): T {
  if (!d.stageSettings) return d;
  const ordered = inOrder(d.stageSettings);
  if (ordered.length !== d.stageSettings.length) return d; // checkStages says why
  const days = ordered.reduce((sum, s) => sum + s.durationInDays, 0);
  return { ...d, stageSettings: ordered, settings: { ...d.settings, instanceDurationInDays: days } };
}

/** The reviewers an instance starts with: the first stage's in a multi-stage review, else the definition's. */
export function startingReviewers(
  d: Pick<ReviewDefinition, 'stageSettings' | 'reviewers' | 'fallbackReviewers'>,
): {
  reviewers: ReviewerScope[];
  fallbackReviewers: ReviewerScope[];
} {
  const first = d.stageSettings?.[0];
  return first
    ? { reviewers: first.reviewers, fallbackReviewers: first.fallbackReviewers }
    : { reviewers: d.reviewers, fallbackReviewers: d.fallbackReviewers };
}

/** Graph's id of one stage of one instance. */
export function reviewStageId(instanceId: string, stageId: string): string {
  return guidFrom('pimflow-review-stage', instanceId, stageId);
}

/** An instance's stages from its series' settings, back to back from `start`; undefined for a single-stage review. */
export function instanceStagesFor(
  d: Pick<ReviewDefinition, 'stageSettings'>,
  instanceId: string,
  start: string,
): InstanceStage[] | undefined {
  if (!d.stageSettings) return undefined;
  let at = new Date(start).getTime();
  return d.stageSettings.map((s) => {
    const begins = at;
    at += s.durationInDays * DAY_MS;
    return {
      id: reviewStageId(instanceId, s.stageId),
      stageId: s.stageId,
      startDateTime: new Date(begins).toISOString(),
      endDateTime: new Date(at).toISOString(),
      status: 'NotStarted' as const,
      reviewers: s.reviewers,
      fallbackReviewers: s.fallbackReviewers,
      decisionsThatWillMoveToNextStage:
        (s.decisionsThatWillMoveToNextStage?.filter((v) => v !== 'Recommendation') as DecisionValue[]) ??
        null,
    };
  });
}

/** The decisions that move an item from `stage` to the next one. */
export function decisionsMovingOn(
  stage: Pick<InstanceStage, 'decisionsThatWillMoveToNextStage'>,
): DecisionValue[] {
  return stage.decisionsThatWillMoveToNextStage ?? ['Approve', 'Deny', 'NotReviewed', 'DontKnow'];
}

/** The stage in progress, if any. */
export function currentStage(instance: Pick<ReviewInstance, 'stages'>): InstanceStage | undefined {
  return instance.stages?.find((s) => s.status === 'InProgress');
}

/** A stage by Graph's id or by its `stageId` from the settings. */
export function findStage(instance: Pick<ReviewInstance, 'stages'>, id: string): InstanceStage | undefined {
  const key = id.toLowerCase();
  return instance.stages?.find((s) => s.id === key || s.stageId === id);
}

/** Why decisions can't be taken in `stage` now (it isn't the one in progress), or undefined. */
export function stageClosed(
  instance: Pick<ReviewInstance, 'stages'>,
  stage: InstanceStage,
): string | undefined {
  if (stage.status === 'InProgress') return undefined;
  const now = currentStage(instance);
  const where = now ? `; decisions are taken in the current stage (${now.stageId})` : '';
  return stage.status === 'NotStarted'
    ? `Stage ${stage.stageId} has not started (it starts ${stage.startDateTime})${where}`
    : `Stage ${stage.stageId} is Completed: its decisions are final${where}`;
}

/** Why this item can't be decided now in a multi-stage review (its stage isn't the current one), or undefined. */
export function itemStageClosed(
  instance: Pick<ReviewInstance, 'stages'>,
  item: Pick<ReviewDecision, 'stageId'>,
): string | undefined {
  if (!instance.stages || item.stageId === undefined) return undefined;
  const stage = instance.stages.find((s) => s.stageId === item.stageId);
  return stage ? stageClosed(instance, stage) : `This item's stage ${item.stageId} is not part of the review`;
}

/** The item in `stage` as that stage saw it: its current fields, or its recorded decision in a stage it left. */
export function itemInStage<T extends ReviewDecision>(item: T, stageId: string): T {
  if (item.stageId === stageId) return item;
  const past = item.stageHistory?.find((h) => h.stageId === stageId);
  if (!past) return item;
  return {
    ...item,
    decision: past.decision,
    justification: past.justification,
    reviewedBy: past.reviewedBy,
    reviewedDateTime: past.reviewedDateTime,
    reviewerIds: past.reviewerIds,
  };
}

/** The item moved on from its stage into `to` with its new reviewers; undefined when it isn't in `from` (any more). */
export function movedOn<T extends ReviewDecision>(
  item: T,
  from: string,
  to: string,
  reviewerIds: string[],
): T | undefined {
  if (item.stageId !== from) return undefined;
  return {
    ...item,
    stageHistory: [
      ...(item.stageHistory ?? []),
      {
        stageId: from,
        decision: item.decision,
        justification: item.justification,
        reviewedBy: item.reviewedBy,
        reviewedDateTime: item.reviewedDateTime,
        reviewerIds: item.reviewerIds,
      },
    ],
    stageId: to,
    stageIds: [...(item.stageIds ?? [from]), to],
    decision: 'NotReviewed',
    justification: null,
    reviewedBy: null,
    reviewedDateTime: null,
    reviewerIds,
  };
}
