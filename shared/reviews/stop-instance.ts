/**
 * Stopping a review instance (final): marks it stopped first — from that write on, recordDecision refuses — then
 * tells its orchestration, which completes it (default decisions, completion mail, auto-apply). If the orchestration
 * can't be told, the mark is undone and the caller hears `unavailable`, so nothing is half-stopped.
 */
import type { AuditWriter } from '../audit/domain/audit-record';
import type { CallerPrincipal } from '../auth/principal';
import type { Clock } from '../clock';
import type { DurableEvent } from '../durable/activity';
import { instanceOrchestrationId, ReviewEvent } from './contract';
import { instanceStopRequestedRecord } from './domain/audit-records';
import { refuse, type Refusal } from './domain/refusal';
import type { ReviewInstance } from './domain/review-instance';
import type { ReviewStore } from './adapters/review-store';

/** Raises an event to an orchestration (the durable client's, at the edge). */
export type RaiseReviewEvent = <P>(
  orchestrationId: string,
  event: DurableEvent<P>,
  payload: P,
) => Promise<void>;

export interface StopDeps {
  reviews: ReviewStore;
  audit: AuditWriter;
  clock: Clock;
  raise: RaiseReviewEvent;
  logError?: (message: string) => void;
}

export type StopResult = { ok: true } | Refusal;

export async function stopReviewInstance(
  d: StopDeps,
  instance: ReviewInstance,
  caller: CallerPrincipal,
): Promise<StopResult> {
  if (instance.status !== 'InProgress')
    return refuse('conflict', `The review is ${instance.status}; only a review in progress can be stopped`);
  const by = { id: caller.objectId, displayName: caller.displayName ?? null };
  const marked = await d.reviews.instances.update(instance.id, instance.definitionId, (i) =>
    i.status === 'InProgress' && i.stoppedBy === null ? { ...i, stoppedBy: by } : undefined,
  );
  if (!marked.changed) return refuse('conflict', 'The review has already been stopped or has completed');
  try {
    await d.raise(instanceOrchestrationId(instance.id), ReviewEvent.stopInstance, { by });
  } catch (err) {
    d.logError?.(`Could not signal ${instanceOrchestrationId(instance.id)}: ${String(err)}`);
    await d.reviews.instances.update(instance.id, instance.definitionId, (i) =>
      i.status === 'InProgress' && i.stoppedBy?.id === by.id ? { ...i, stoppedBy: null } : undefined,
    );
    return refuse('unavailable', 'The review could not be stopped; try again');
  }
  await d.audit.record(instanceStopRequestedRecord(instance, caller, d.clock.now()));
  return { ok: true };
}
