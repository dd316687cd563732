/**
 * What both kinds of apply chunk share (apply-chunk.ts for groups, apply-role-chunk.ts for directory roles): which
 * schedules are live, which Graph failures are worth another round, a denied item's plan, ending a schedule through
 * its own orchestration, and recording an item's result (only over `New`) with its audit record.
 */
import type { EndAccessEvent } from '../requests/domain/schedule-request';
import { requestInstanceId } from '../requests/domain/schedule-request';
import type { Schedule } from '../lifecycle/domain/schedule';
import type { Stored } from '../storage/stored';
import type { ApplyDeps, RaiseEnd } from './apply-activities';
import type { AppliedBy, ApplyChunkResult } from './contract';
import { itemAppliedRecord } from './domain/decision-audit-records';
import type { ApplyResult, ReviewDecision } from './domain/review-decision';
import type { ReviewInstance } from './domain/review-instance';
import { mapLimit } from './parallel';

export const LIVE: readonly Schedule['status'][] = ['Scheduled', 'Provisioned'];
export const TRANSIENT = new Set([429, 503, 504]);
/** Graph said "later" without saying when (the bulk result carries no Retry-After): wait this long. */
export const THROTTLED_WAIT_MS = 30_000;
export const PARALLEL = 25;

/** One denied item and what applying it means. */
export interface Plan {
  item: Stored<ReviewDecision>;
  /** The schedules to end: the item's own, plus activations of a denied eligibility. Empty: nothing live. */
  ends: Stored<Schedule>[];
  /** Whose membership, ownership or role assignment to remove, if any access in Graph comes with it. */
  removePrincipal: string | null;
  outcome?: { result: ApplyResult; reason: string };
  retry?: boolean;
}

/** The outcome of an item whose schedule is gone or no longer live: ended before (or, if attempted, by) this apply. */
export function alreadyEnded(item: ReviewDecision, schedule: Schedule | undefined): Plan['outcome'] {
  return item.applyAttemptedDateTime
    ? { result: 'AppliedSuccessfully', reason: 'Access removed' }
    : {
        result: 'AppliedSuccessfullyButObjectNotFound',
        reason: schedule
          ? `The assignment had already ended (${schedule.status})`
          : 'The assignment no longer exists',
      };
}

/** Marks the items about to be touched as attempted (see applyAttemptedDateTime). */
export async function markAttempted(d: ApplyDeps, instance: ReviewInstance, plans: Plan[], at: string) {
  await mapLimit(
    plans.filter((p) => !p.outcome && !p.item.applyAttemptedDateTime),
    PARALLEL,
    (p) =>
      d.reviews.decisions.update(p.item.id, instance.id, (c) =>
        c.applyResult === 'New' && !c.applyAttemptedDateTime
          ? { ...c, applyAttemptedDateTime: at }
          : undefined,
      ),
  );
}

/** Ends the schedules of the items whose access is gone (each once), through their orchestrations. */
export async function endSchedulesOf(
  d: ApplyDeps,
  instance: ReviewInstance,
  plans: Plan[],
  by: EndAccessEvent['by'],
  raise: RaiseEnd,
): Promise<void> {
  const toEnd = new Map<string, { schedule: Stored<Schedule>; removed: boolean; decisionId: string }>();
  for (const p of plans) {
    if (p.outcome?.result !== 'AppliedSuccessfully') continue;
    for (const s of p.ends)
      toEnd.set(s.id, { schedule: s, removed: p.removePrincipal !== null, decisionId: p.item.id });
  }
  await mapLimit([...toEnd.values()], PARALLEL, (e) =>
    endSchedule(
      d,
      e.schedule,
      by,
      e.removed,
      { definitionId: instance.definitionId, instanceId: instance.id, decisionId: e.decisionId },
      raise,
    ),
  );
}

/** Ends one schedule through its orchestration, or in Cosmos when that orchestration is gone. */
async function endSchedule(
  d: ApplyDeps,
  schedule: Schedule,
  by: EndAccessEvent['by'],
  removedFromGraph: boolean,
  reviewDecision: NonNullable<EndAccessEvent['reviewDecision']>,
  raise: RaiseEnd,
): Promise<void> {
  const now = d.clock.now();
  // Only an assignment in force had its Graph access: a future one would still be granted at its start.
  const alreadyRevoked =
    schedule.kind === 'assignment' &&
    removedFromGraph &&
    schedule.status === 'Provisioned' &&
    new Date(schedule.startDateTime) <= now;
  // The event names the decision: the orchestration reads it back before it records the end (events are hints).
  const outcome = await raise(requestInstanceId(schedule.createdUsing), {
    by,
    reviewDecision,
    ...(alreadyRevoked ? { alreadyRevoked: true } : {}),
  });
  if (outcome === 'gone') {
    await d.store.schedules.update(schedule.id, schedule.groupId, (s) =>
      LIVE.includes(s.status) ? { ...s, status: 'Revoked', modifiedDateTime: now.toISOString() } : undefined,
    );
  }
}

/** Records an item's result (only over `New`) and audits what the item says; whether this call recorded it. */
async function recordResult(
  d: ApplyDeps,
  instance: ReviewInstance,
  plan: Plan,
  appliedBy: AppliedBy | null,
  at: string,
): Promise<boolean> {
  const outcome = plan.outcome;
  if (!outcome) return false;
  const { changed, document: item } = await d.reviews.decisions.update(plan.item.id, instance.id, (c) =>
    c.applyResult === 'New'
      ? {
          ...c,
          applyResult: outcome.result,
          appliedBy: appliedBy
            ? {
                id: appliedBy.id,
                displayName: appliedBy.displayName,
                userPrincipalName: appliedBy.userPrincipalName ?? null,
              }
            : null,
          appliedDateTime: at,
        }
      : undefined,
  );
  await d.audit.record(itemAppliedRecord(item, outcome, appliedBy, new Date(item.appliedDateTime ?? at)));
  return changed;
}

/** Records every item's result (only over `New`) with its audit record; the chunk's counts. */
export async function recordAll(
  d: ApplyDeps,
  instance: ReviewInstance,
  plans: Plan[],
  appliedBy: AppliedBy | null,
  at: string,
  moreToRead: string | undefined,
): Promise<ApplyChunkResult> {
  const recorded = await mapLimit(plans, PARALLEL, (p) => recordResult(d, instance, p, appliedBy, at));
  const retries = plans.filter((p) => p.retry).length;
  const remaining = moreToRead ? await d.reviews.countPendingDenied(instance.id) : retries;
  return {
    applied: recorded.filter(Boolean).length,
    failed: plans.filter((p) => p.outcome?.result === 'AppliedWithUnknownFailure').length,
    remaining,
    retryAfterMs: retries > 0 ? THROTTLED_WAIT_MS : null,
  };
}
