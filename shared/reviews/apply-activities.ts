/**
 * Applying an access review instance's decisions (the activities of orchestrations/access-review-apply.ts): each
 * denied item's access is removed through the PIM layer — the Graph membership or ownership in bulk (`$batch`, 20
 * per request, throttled sub-requests resent after Retry-After), then the schedule is ended by its own orchestration
 * (REQUEST_EVENTS.end with `alreadyRevoked`, so it records the end without calling Graph again), or in Cosmos when
 * that orchestration is gone. A denied eligibility ends too, with any activation that came from it.
 *
 * The item's `applyResult` is the truth: a chunk picks only denied items still `New`, marks them attempted before it
 * touches anything, and records the result with an ETag-guarded write. A re-run after a crash at any instant redoes
 * at most the unrecorded part: removing a membership that is already gone is a no-op in Graph ('unchanged'), an end
 * event to an ended schedule changes nothing, audit ids are deterministic. Items that aren't Deny are not touched
 * (their applyResult stays `New`: applying did nothing to them).
 */
import type { Database } from '@azure/cosmos';
import { SYSTEM_ACTOR, userActor } from '../audit/domain/audit-entry';
import type { AuditWriter } from '../audit/adapters/audit-log';
import type { Clock } from '../clock';
import type { BulkItemResult, Directory } from '../directory/directory';
import type { PimStore } from '../requests/adapters/pim-store';
import { requestInstanceId, type EndAccessEvent } from '../requests/domain/schedule-request';
import type { Schedule } from '../lifecycle/domain/schedule';
import type { Stored } from '../storage/stored';
import {
  APPLY_CHUNK_SIZE,
  type AppliedBy,
  type ApplyChunkInput,
  type ApplyChunkResult,
  type ApplyInput,
  type BeginApplyResult,
  type FinishApplyResult,
} from './contract';
import type { ApplyResult, ReviewDecision } from './domain/review-decision';
import type { ReviewInstance } from './domain/review-instance';
import { reviewDecisionsContainer, type ReviewStore } from './adapters/review-store';

export interface ApplyDeps {
  reviews: ReviewStore;
  store: PimStore;
  directory: Directory;
  audit: AuditWriter;
  clock: Clock;
  /** For the count of items still to apply (a `VALUE COUNT` query the typed repositories don't run). */
  database: Database;
  /** Items handled per chunk (default APPLY_CHUNK_SIZE); smaller in tests. */
  chunkSize?: number;
  log?: (message: string) => void;
}

/**
 * Sends REQUEST_EVENTS.end to a schedule's orchestration: 'accepted', or 'gone' when that orchestration no longer
 * exists or has finished (the caller then records the end itself).
 */
export type RaiseEnd = (orchestrationId: string, payload: EndAccessEvent) => Promise<'accepted' | 'gone'>;

const LIVE: readonly Schedule['status'][] = ['Scheduled', 'Provisioned'];
const TRANSIENT = new Set([429, 503, 504]);
/** Graph said "later" without saying when (the bulk result carries no Retry-After): wait this long. */
const THROTTLED_WAIT_MS = 30_000;
const PARALLEL = 25;

const PENDING_WHERE = "c.instanceId = @instanceId AND c.decision = 'Deny' AND c.applyResult = 'New'";

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

export function createApplyActivities(d: ApplyDeps) {
  const chunkSize = d.chunkSize ?? APPLY_CHUNK_SIZE;

  const countPending = async (instanceId: string): Promise<number> => {
    const { resources } = await d.database
      .container(reviewDecisionsContainer.id)
      .items.query<number>(
        {
          query: `SELECT VALUE COUNT(1) FROM c WHERE ${PENDING_WHERE}`,
          parameters: [{ name: '@instanceId', value: instanceId }],
        },
        { partitionKey: instanceId },
      )
      .fetchAll();
    return resources.reduce((sum, n) => sum + (typeof n === 'number' ? n : 0), 0);
  };

  /** Live activations (in this group and role) that came from one of these eligibilities, by eligibility. */
  const activationsOf = async (
    instance: ReviewInstance,
    eligibilityIds: ReadonlySet<string>,
  ): Promise<Map<string, Stored<Schedule>[]>> => {
    const out = new Map<string, Stored<Schedule>[]>();
    let continuationToken: string | undefined;
    do {
      const page = await d.store.schedules.queryPage(
        "SELECT * FROM c WHERE c.groupId = @groupId AND c.kind = 'assignment' AND c.accessId = @accessId AND c.assignmentType = 'activated' AND c.status IN ('Scheduled', 'Provisioned')",
        { '@groupId': instance.groupId, '@accessId': instance.accessId },
        { partitionKey: instance.groupId, pageSize: 500, continuationToken },
      );
      for (const s of page.items) {
        if (!s.activatedUsing || !eligibilityIds.has(s.activatedUsing)) continue;
        out.set(s.activatedUsing, [...(out.get(s.activatedUsing) ?? []), s]);
      }
      continuationToken = page.continuationToken;
    } while (continuationToken);
    return out;
  };

  /** Ends one schedule through its orchestration, or in Cosmos when that orchestration is gone. */
  const endSchedule = async (
    schedule: Schedule,
    by: EndAccessEvent['by'],
    removedFromGraph: boolean,
    reviewDecision: NonNullable<EndAccessEvent['reviewDecision']>,
    raise: RaiseEnd,
  ): Promise<void> => {
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
        LIVE.includes(s.status)
          ? { ...s, status: 'Revoked', modifiedDateTime: now.toISOString() }
          : undefined,
      );
    }
  };

  const record = async (
    instance: ReviewInstance,
    plan: Plan,
    appliedBy: AppliedBy | null,
    at: string,
  ): Promise<boolean> => {
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
    const failed = item.applyResult === 'AppliedWithUnknownFailure';
    await d.audit.record({
      id: `review-apply:${item.id}`,
      activityDateTime: new Date(item.appliedDateTime ?? at),
      activityDisplayName: failed
        ? `Access review apply failed: remove ${item.resource.accessId} from group (Deny)`
        : `Access review applied: remove ${item.assignmentType === 'eligible' ? 'eligible ' : ''}${item.resource.accessId} from group (Deny)`,
      category: 'AccessReview',
      operationType: 'Unassign',
      result: failed ? 'failure' : 'success',
      resultReason: outcome.reason,
      initiatedBy: appliedBy
        ? userActor(appliedBy.id, appliedBy.displayName, appliedBy.userPrincipalName)
        : SYSTEM_ACTOR,
      targetResources: [
        { id: item.resource.groupId, displayName: item.resource.displayName, type: 'Group' },
        { id: item.principal.id, displayName: item.principal.displayName, type: 'Principal' },
      ],
      groupId: item.resource.groupId,
      principalId: item.principal.id,
      correlationId: item.instanceId,
      details: {
        definitionId: item.definitionId,
        instanceId: item.instanceId,
        decisionId: item.id,
        scheduleId: item.scheduleId,
        applyResult: item.applyResult,
      },
    });
    return changed;
  };

  return {
    /** Completed → Applying; Applying goes on (a resumed or repeated apply); anything else doesn't proceed. */
    async beginApply(a: ApplyInput): Promise<BeginApplyResult> {
      const found = await d.reviews.instances.find(a.instanceId, a.definitionId);
      if (!found) return { proceed: false, status: 'NotFound' };
      const { document } = await d.reviews.instances.update(a.instanceId, a.definitionId, (i) =>
        i.status === 'Completed' ? { ...i, status: 'Applying' } : undefined,
      );
      if (document.status !== 'Applying') return { proceed: false, status: document.status };
      await d.audit.record({
        id: `review-apply:${document.id}:started`,
        activityDateTime: d.clock.now(),
        activityDisplayName: `Access review apply started (${document.accessId} of group)`,
        category: 'AccessReview',
        operationType: 'Update',
        result: 'success',
        initiatedBy: a.appliedBy
          ? userActor(a.appliedBy.id, a.appliedBy.displayName, a.appliedBy.userPrincipalName)
          : SYSTEM_ACTOR,
        targetResources: [{ id: document.groupId, displayName: document.groupDisplayName, type: 'Group' }],
        groupId: document.groupId,
        principalId: null,
        correlationId: document.id,
        details: {
          definitionId: document.definitionId,
          instanceId: document.id,
          mode: a.appliedBy ? 'applyDecisions' : 'autoApply',
        },
      });
      return { proceed: true };
    },

    /**
     * Applies up to one chunk of denied items still `New`. Throttled removals are left `New` (with a retry-after
     * for the orchestration's timer) unless `finalAttempt`; other Graph failures are AppliedWithUnknownFailure.
     */
    async applyChunk(a: ApplyChunkInput, raise: RaiseEnd): Promise<ApplyChunkResult> {
      const none: ApplyChunkResult = { applied: 0, failed: 0, remaining: 0, retryAfterMs: null };
      const instance = await d.reviews.instances.find(a.instanceId, a.definitionId);
      if (!instance || instance.status !== 'Applying') return none;
      const page = await d.reviews.decisions.queryPage(
        `SELECT * FROM c WHERE ${PENDING_WHERE}`,
        { '@instanceId': instance.id },
        { partitionKey: instance.id, pageSize: chunkSize },
      );
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
        ? await activationsOf(instance, liveEligibilities)
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
          e.schedule,
          by,
          e.removed,
          { definitionId: instance.definitionId, instanceId: instance.id, decisionId: e.decisionId },
          raise,
        ),
      );

      // Record each result (only over `New`), and audit it.
      const recorded = await mapLimit(plans, PARALLEL, (p) => record(instance, p, appliedBy, at));
      const retries = plans.filter((p) => p.retry).length;
      const remaining = page.continuationToken ? await countPending(instance.id) : retries;
      return {
        applied: recorded.filter(Boolean).length,
        failed: plans.filter((p) => p.outcome?.result === 'AppliedWithUnknownFailure').length,
        remaining,
        retryAfterMs: retries > 0 ? THROTTLED_WAIT_MS : null,
      };
    },

    /** Applying → Applied with appliedDateTime (idempotent), audited. */
    async finishApply(a: ApplyInput): Promise<FinishApplyResult> {
      const now = d.clock.now().toISOString();
      const { document } = await d.reviews.instances.update(a.instanceId, a.definitionId, (i) =>
        i.status === 'Applying' ? { ...i, status: 'Applied', appliedDateTime: now } : undefined,
      );
      if (document.status === 'Applied') {
        await d.audit.record({
          id: `review-apply:${document.id}:applied`,
          activityDateTime: new Date(document.appliedDateTime ?? now),
          activityDisplayName: `Access review decisions applied (${document.accessId} of group)`,
          category: 'AccessReview',
          operationType: 'Update',
          result: 'success',
          initiatedBy: a.appliedBy
            ? userActor(a.appliedBy.id, a.appliedBy.displayName, a.appliedBy.userPrincipalName)
            : SYSTEM_ACTOR,
          targetResources: [{ id: document.groupId, displayName: document.groupDisplayName, type: 'Group' }],
          groupId: document.groupId,
          principalId: null,
          correlationId: document.id,
          details: { definitionId: document.definitionId, instanceId: document.id },
        });
      }
      return { status: document.status, appliedDateTime: document.appliedDateTime };
    },
  };
}

export type ApplyActivities = ReturnType<typeof createApplyActivities>;

/** Runs `work` over `items`, at most `width` at a time; results in the items' order. */
async function mapLimit<T, R>(
  items: readonly T[],
  width: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await work(items[i] as T);
      }
    }),
  );
  return out;
}
