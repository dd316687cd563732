/**
 * One chunk of an apply (see apply-activities.ts): the denied items still `New`, what each means now (its schedule,
 * if still in force, and whose Graph access goes with it), marked attempted before anything is touched, the Graph
 * removals in bulk (each principal once), the schedules ended through their orchestrations, and each result
 * recorded (only over `New`) and audited. A directory role's instance goes to apply-role-chunk.ts instead.
 */
import type { BulkItemResult } from '../directory/directory';
import type { Schedule } from '../lifecycle/domain/schedule';
import type { Stored } from '../storage/stored';
import type { ApplyDeps, RaiseEnd } from './apply-activities';
import { applyRoleItems } from './apply-role-chunk';
import {
  alreadyEnded,
  endSchedulesOf,
  LIVE,
  markAttempted,
  PARALLEL,
  recordAll,
  TRANSIENT,
  type Plan,
} from './apply-steps';
import { APPLY_CHUNK_SIZE, type ApplyChunkInput, type ApplyChunkResult } from './contract';
import { isRoleAtScope } from './domain/reviewed-role';
import { liveActivationsFrom } from './adapters/live-activations';
import { mapLimit } from './parallel';

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
  if (isRoleAtScope(instance)) return applyRoleItems(d, a, instance, page, { at, by }, raise);

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
    if (!schedule || !LIVE.includes(schedule.status))
      // Ended before (or, if attempted, by) this apply: nothing left to remove.
      return { item, ends: [], removePrincipal: null, outcome: alreadyEnded(item, schedule) };
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
  await markAttempted(d, instance, plans, at);

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
  await endSchedulesOf(d, instance, plans, by, raise);

  // Record each result (only over `New`), and audit it.
  return recordAll(d, instance, plans, appliedBy, at, page.continuationToken);
}
