/**
 * Stopping a series (Graph's `accessReviewScheduleDefinition: stop`): final. The definition becomes Completed first —
 * from that write on no further occurrence is planned — then the series orchestration is told (if it is waiting for
 * an occurrence it ends; if instances are running it ends after them), every instance in progress is stopped (each
 * completes: default decisions, completion mail, auto-apply), and instances planned but not started are removed.
 * Safe to repeat: a second call stops what the first couldn't.
 */
import type { CallerPrincipal } from '../auth/principal';
import { NotFoundError } from '../storage/errors';
import { ReviewEvent, seriesInstanceId } from './contract';
import { seriesStoppedRecord } from './domain/audit-records';
import { refuse, type Refusal } from './domain/refusal';
import { stopReviewInstance, type StopDeps } from './stop-instance';

export type StopDefinitionResult = { ok: true; stoppedInstances: number } | Refusal;

export async function stopDefinition(
  d: StopDeps,
  definitionId: string,
  caller: CallerPrincipal,
): Promise<StopDefinitionResult> {
  const definition = await d.reviews.definitions.find(definitionId, definitionId);
  if (!definition) return refuse('notFound', `No access review definition ${definitionId}`);
  const marked = await d.reviews.definitions.update(definitionId, definitionId, (current) =>
    current.status === 'Completed'
      ? undefined
      : { ...current, status: 'Completed', lastModifiedDateTime: d.clock.now().toISOString() },
  );
  const by = { id: caller.objectId, displayName: caller.displayName ?? null };
  await d.raise(seriesInstanceId(definitionId), ReviewEvent.stopSeries, { by }).catch((err: unknown) => {
    // A finished series needs no telling; a waiting one that missed this sees Completed at its next plan.
    d.logError?.(`Could not signal ${seriesInstanceId(definitionId)}: ${String(err)}`);
  });

  let stopped = 0;
  let failed = 0;
  let continuationToken: string | undefined;
  do {
    const page = await d.reviews.listInstances(definitionId, 100, continuationToken);
    for (const instance of page.items) {
      if (instance.status === 'InProgress' && instance.stoppedBy === null) {
        const result = await stopReviewInstance(d, instance, caller);
        if (result.ok) stopped++;
        else if (result.reason === 'unavailable') failed++;
      } else if (instance.status === 'NotStarted') {
        await d.reviews.instances.delete(instance.id, definitionId, instance._etag).catch((err: unknown) => {
          if (!(err instanceof NotFoundError)) throw err;
        });
      }
    }
    continuationToken = page.continuationToken;
  } while (continuationToken);

  if (failed > 0)
    return refuse('unavailable', `${failed} running instance(s) could not be stopped; try again`);
  if (!marked.changed && stopped === 0) return refuse('conflict', 'The series has already ended');
  await d.audit.record(seriesStoppedRecord(definition, stopped, caller, d.clock.now()));
  return { ok: true, stoppedInstances: stopped };
}
