/**
 * An admin's actions on a running instance: change its reviewers (pending items follow; new reviewers get their start
 * mail), reset its decisions, send a reminder. Each checks the instance may still change and audits what it did.
 */
import { randomUUID } from 'node:crypto';
import type { AuditWriter } from '../audit/domain/audit-record';
import type { CallerPrincipal } from '../auth/principal';
import type { Clock } from '../clock';
import type { Directory } from '../directory/directory';
import { ConcurrencyConflictError } from '../storage/errors';
import type { MailReviewersInput } from './contract';
import { decisionsOpen } from './decide';
import { decisionsResetRecord, reviewersChangedRecord } from './domain/audit-records';
import { removedFallbackReviewers, whyNotCurrent } from './domain/instance-rules';
import { refuse, type Refusal } from './domain/refusal';
import type { ReviewerScope } from './domain/review-definition';
import type { ReviewInstance } from './domain/review-instance';
import { currentStage } from './domain/review-stages';
import type { InstanceActivities } from './instance-activities';
import type { ReviewStore } from './adapters/review-store';
import { fallbackUserIds, reresolvePendingReviewers, reviewerPlan } from './reviewers';

export interface InstanceAdminDeps {
  reviews: ReviewStore;
  directory: Directory;
  audit: AuditWriter;
  clock: Clock;
  mailer: Pick<InstanceActivities, 'mailReviewers'>;
  warn?: (message: string) => void;
}

type Done = { ok: true } | Refusal;

/** Reviewers of the current instance: added or removed; fallback reviewers only added. Pending items follow. */
export async function changeInstanceReviewers(
  d: InstanceAdminDeps,
  instance: ReviewInstance,
  change: { reviewers?: ReviewerScope[]; fallbackReviewers?: ReviewerScope[] },
  caller: CallerPrincipal,
): Promise<Done> {
  const notCurrent = whyNotCurrent(instance);
  if (notCurrent) return refuse('conflict', notCurrent);
  if (instance.stages)
    return refuse(
      'invalid',
      "A multi-stage review's reviewers are its stages' (the definition's stageSettings); they can't be changed on a running instance",
    );
  const reviewers = change.reviewers ?? instance.reviewers;
  const fallbackReviewers = change.fallbackReviewers ?? instance.fallbackReviewers;
  const plan = reviewerPlan(reviewers, fallbackReviewers);
  if ('error' in plan) return refuse('invalid', plan.error);
  const before = fallbackUserIds(instance.fallbackReviewers);
  const removed = 'error' in before ? [] : removedFallbackReviewers(before.ids, plan.fallback);
  if (removed.length > 0)
    return refuse(
      'invalid',
      `Fallback reviewers can be added but not removed while a review runs: keep /users/${removed.join(', /users/')}`,
    );
  const named = [...new Set([...plan.users, ...plan.fallback])];
  if (named.length > 0) {
    const users = await d.directory.getUsers(named);
    const unknown = named.filter((id) => !users[id]);
    if (unknown.length > 0) return refuse('invalid', `No such user: ${unknown.join(', ')}`);
  }
  let updated;
  try {
    updated = await d.reviews.instances.update(instance.id, instance.definitionId, (i) =>
      i.status === instance.status && i.stoppedBy === null
        ? { ...i, reviewers, fallbackReviewers }
        : undefined,
    );
  } catch (err) {
    if (err instanceof ConcurrencyConflictError)
      return refuse('conflict', 'The instance keeps changing; try again');
    throw err;
  }
  if (!updated.changed)
    return refuse('conflict', 'The instance changed meanwhile (it completed or was stopped)');
  const changedItems = await reresolvePendingReviewers(d, updated.document);
  await d.audit.record(
    reviewersChangedRecord(updated.document, updated.document._etag, changedItems, caller, d.clock.now()),
  );
  // Reviewers added to a running review get their start mail (those already mailed don't get another).
  if (updated.document.status === 'InProgress') {
    try {
      await mailAllReviewers(d, instance, 'start', { onlyNew: true });
    } catch (err) {
      d.warn?.(`Reviewers of ${instance.id} changed, but mailing the new ones failed: ${String(err)}`);
    }
  }
  return { ok: true };
}

/** Every decision back to NotReviewed (while in progress). */
export async function resetInstanceDecisions(
  d: InstanceAdminDeps,
  instance: ReviewInstance,
  caller: CallerPrincipal,
): Promise<Done> {
  const closed = decisionsOpen(instance);
  if (closed) return refuse('conflict', closed);
  let reset = 0;
  for (let round = 0; round < 10_000; round++) {
    // Multi-stage: the stage in progress only (closed stages' decisions are final).
    const page = await d.reviews.decidedItems(instance.id, 200, currentStage(instance)?.stageId);
    if (page.items.length === 0) break;
    for (const item of page.items) {
      const u = await d.reviews.decisions.update(item.id, item.instanceId, (c) =>
        c.decision === 'NotReviewed'
          ? undefined
          : { ...c, decision: 'NotReviewed', justification: null, reviewedBy: null, reviewedDateTime: null },
      );
      if (u.changed) reset++;
    }
  }
  await d.audit.record(decisionsResetRecord(instance, randomUUID(), reset, caller, d.clock.now()));
  return { ok: true };
}

/** An admin's reminder to the reviewers with items left, now (whatever the series' reminder setting). */
export async function sendInstanceReminder(d: InstanceAdminDeps, instance: ReviewInstance): Promise<Done> {
  const closed = decisionsOpen(instance);
  if (closed) return refuse('conflict', closed);
  await mailAllReviewers(d, instance, 'reminder', { force: true, round: d.clock.now().toISOString() });
  return { ok: true };
}

/** Every chunk of a mail round; the number mailed. */
async function mailAllReviewers(
  d: Pick<InstanceAdminDeps, 'mailer'>,
  instance: Pick<ReviewInstance, 'id' | 'definitionId'>,
  kind: 'start' | 'reminder',
  options: Pick<MailReviewersInput, 'force' | 'round' | 'onlyNew'>,
): Promise<number> {
  let after: string | null = null;
  let mailed = 0;
  do {
    const res = await d.mailer.mailReviewers({
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
