/**
 * Stopping a review instance (final): marks it stopped first — from that write on, recordDecision refuses — then
 * tells its orchestration, which completes it (default decisions, completion mail, auto-apply). If the orchestration
 * can't be told, the mark is undone and the caller hears 503, so nothing is half-stopped.
 */
import { userActor } from '../audit/domain/audit-entry';
import type { CallerPrincipal } from '../auth/principal';
import type { ReviewInstance } from './domain/review-instance';
import { instanceOrchestrationId, REVIEW_EVENTS } from './review-names';
import type { AppServices } from '../composition-root';

export type RaiseEvent = (instanceId: string, eventName: string, payload: unknown) => Promise<void>;
export type StopResult = { ok: true } | { ok: false; status: 409 | 503; detail: string };

export async function stopReviewInstance(
  s: Pick<AppServices, 'reviews' | 'audit' | 'clock'>,
  raise: RaiseEvent,
  instance: ReviewInstance,
  caller: CallerPrincipal,
  logError: (message: string) => void = () => undefined,
): Promise<StopResult> {
  if (instance.status !== 'InProgress')
    return {
      ok: false,
      status: 409,
      detail: `The review is ${instance.status}; only a review in progress can be stopped`,
    };
  const by = { id: caller.objectId, displayName: caller.displayName ?? null };
  const marked = await s.reviews.instances.update(instance.id, instance.definitionId, (i) =>
    i.status === 'InProgress' && i.stoppedBy === null ? { ...i, stoppedBy: by } : undefined,
  );
  if (!marked.changed)
    return { ok: false, status: 409, detail: 'The review has already been stopped or has completed' };
  try {
    await raise(instanceOrchestrationId(instance.id), REVIEW_EVENTS.stopInstance, { by });
  } catch (err) {
    logError(`Could not signal ${instanceOrchestrationId(instance.id)}: ${String(err)}`);
    await s.reviews.instances.update(instance.id, instance.definitionId, (i) =>
      i.status === 'InProgress' && i.stoppedBy?.id === by.id ? { ...i, stoppedBy: null } : undefined,
    );
    return { ok: false, status: 503, detail: 'The review could not be stopped; try again' };
  }
  await s.audit.record({
    id: `review-instance:${instance.id}:stop-requested`,
    activityDateTime: s.clock.now(),
    activityDisplayName: 'Access review stop requested',
    category: 'AccessReview',
    operationType: 'Update',
    result: 'success',
    initiatedBy: userActor(caller.objectId, caller.displayName, caller.userPrincipalName),
    targetResources: [{ id: instance.groupId, displayName: instance.groupDisplayName, type: 'Group' }],
    groupId: instance.groupId,
    correlationId: instance.id,
    details: { definitionId: instance.definitionId, instanceId: instance.id },
  });
  return { ok: true };
}
