/**
 * One chunk of an apply (see apply-activities.ts): the denied items still `New`, what each means now (its schedule,
 * if still in force, and whose Graph access goes with it), marked attempted before anything is touched, the Graph
 * removals in bulk (each principal once), the schedules ended through their orchestrations, and each result
 * recorded (only over `New`) and audited.
 */
import type { EndAccessEvent } from '../requests/domain/schedule-request';
import { requestInstanceId } from '../requests/domain/schedule-request';
import type { BulkItemResult } from '../directory/directory';
import type { Schedule } from '../lifecycle/domain/schedule';
import type { Stored } from '../storage/stored';
import type { ApplyDeps, RaiseEnd } from './apply-activities';
import { APPLY_CHUNK_SIZE, type AppliedBy, type ApplyChunkInput, type ApplyChunkResult } from './contract';
import { itemAppliedRecord } from './domain/decision-audit-records';
import type { ApplyResult, ReviewDecision } from './domain/review-decision';
import type { ReviewInstance } from './domain/review-instance';
import { liveActivationsFrom } from './adapters/live-activations';
import { mapLimit } from './parallel';

const LIVE: readonly Schedule['status'][] = ['Scheduled', 'Provisioned'];
const TRANSIENT = new Set([429, 503, 504]);
/** Graph said "later" without saying when (the bulk result carries no Retry-After): wait this long. */
const THROTTLED_WAIT_MS = 30_000;
const PARALLEL = 25;

/** One denied item and what applying it means. */
interface Plan {
  item: Stored<ReviewDecision>;
  /** The schedules to end: the item's own, plus activations of a denied eligibility. Empty: nothing live. */
  ends: Stored<Schedule>[];
  /** Whose membership (or ownership) to remove, if any access in Graph comes with it. */
  removePrincipal: string | null;
  outcome?: { result: ApplyResult; reason: string };
  retry?: boolean;
}

/**
 * Applies up to one chunk of denied items still `New`. Throttled removals are left `New` (with a retry-after for the
 * orchestration's timer) unless `finalAttempt`; other Graph failures are AppliedWithUnknownFailure.
 */
export async function applyChunk(
  d: ApplyDeps,
  a: ApplyChunkInput,
  raise: RaiseEnd,
): Promise<ApplyChunkResult> {
  const none: ApplyChunkResult = { applied: 0, failed: 0, remaining: 0, retryAfterMs: null };
  const instance = await d.reviews.instances.find(a.instanceId, a.definitionId);
  if (!instance || instance.status !== 'Applying') return none;
  const page = await d.reviews.pendingDenied(instance.id, d.chunkSize ?? APPLY_CHUNK_SIZE);
  if (page.items.length === 0) return none;
  const at = d.clock.now().toISOString();
  const appliedBy = a.appliedBy ?? null;
  const by = appliedBy
    ? { id: appliedBy.id, displayName: appliedBy.displayName }
    : { id: `access-review:${instance.definitionId}`, displayName: 'Access review (auto-apply)' };

  // What each item means now: its schedule (if still in force) and whose Graph access goes with it.
  const schedules = await mapLimit(page.items, PARALLEL, (item) =>
    d.store.schedules.find(item.scheduleId, instance.groupId),
  );
  const liveEligibilities = new Set(
    schedules.filter((s) => s && s.kind === 'eligibility' && LIVE.includes(s.status)).map((s) => s!.id),
  );
  const activations = liveEligibilities.size
    ? await liveActivationsFrom(d.store, instance, liveEligibilities)
    : new Map<string, Stored<Schedule>[]>();
  const plans: Plan[] = page.items.map((item, i) => {
    const schedule = schedules[i];
    if (!schedule || !LIVE.includes(schedule.status)) {
      // Ended before (or, if attempted, by) this apply: nothing left to remove.
      return {
        item,
        ends: [],
        removePrincipal: null,
        outcome: item.applyAttemptedDateTime
          ? { result: 'AppliedSuccessfully', reason: 'Access removed' }
          : {
              result: 'AppliedSuccessfullyButObjectNotFound',
              reason: schedule
                ? `The assignment had already ended (${schedule.status})`
                : 'The assignment no longer exists',
            },
      };
    }
    // Graph access comes with an assignment in force (a future one has none yet).
    if (schedule.kind === 'assignment')
      return {
        item,
        ends: [schedule],
        removePrincipal: schedule.status === 'Provisioned' ? schedule.principalId : null,
      };
    const fromIt = activations.get(schedule.id) ?? [];
    return {
      item,
      ends: [schedule, ...fromIt],
      removePrincipal: fromIt.some((s) => s.status === 'Provisioned') ? schedule.principalId : null,
    };
  });

  // Attempted, before anything is touched (see applyAttemptedDateTime).
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

  // Graph, in bulk: each principal once, whatever number of items name them.
  const principals = [
    ...new Set(plans.filter((p) => !p.outcome && p.removePrincipal).map((p) => p.removePrincipal!)),
  ];
  const results = new Map<string, BulkItemResult>();
  if (principals.length > 0) {
    const removed =
      instance.accessId === 'owner'
        ? await d.directory.removeOwners(instance.groupId, principals)
        : await d.directory.removeMembers(instance.groupId, principals);
    for (const r of removed) results.set(r.principalId, r);
  }
  for (const p of plans) {
    if (p.outcome) continue;
    const r = p.removePrincipal ? results.get(p.removePrincipal) : undefined;
    if (!r || r.outcome !== 'failed') {
      p.outcome = { result: 'AppliedSuccessfully', reason: 'Access removed' };
    } else if (TRANSIENT.has(r.error?.status ?? 0) && !a.finalAttempt) {
      p.retry = true;
    } else {
      p.outcome = {
        result: 'AppliedWithUnknownFailure',
        reason:
          `Graph refused the removal: ${r.error?.status ?? ''} ${r.error?.code ?? ''} ${r.error?.message ?? ''}`.trim(),
      };
    }
  }

  // End the schedules whose access is gone (each once), through their orchestrations.
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

  // Record each result (only over `New`), and audit it.
  const recorded = await mapLimit(plans, PARALLEL, (p) => recordResult(d, instance, p, appliedBy, at));
  const retries = plans.filter((p) => p.retry).length;
  const remaining = page.continuationToken ? await d.reviews.countPendingDenied(instance.id) : retries;
  return {
    applied: recorded.filter(Boolean).length,
    failed: plans.filter((p) => p.outcome?.result === 'AppliedWithUnknownFailure').length,
    remaining,
    retryAfterMs: retries > 0 ? THROTTLED_WAIT_MS : null,
  };
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
