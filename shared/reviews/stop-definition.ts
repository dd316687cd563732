/**
 * Stopping a series (Graph's `accessReviewScheduleDefinition: stop`): final. The definition becomes Completed first —
 * from that write on no further occurrence is planned — then the series orchestration is told (if it is waiting for
 * an occurrence it ends; if instances are running it ends after them), every instance in progress is stopped (each
 * completes: default decisions, completion mail, auto-apply), and instances planned but not started are removed.
 * Safe to repeat: a second call stops what the first couldn't.
 */
import { userActor } from '../audit/domain/audit-entry';
import type { CallerPrincipal } from '../auth/principal';
import { NotFoundError } from '../storage/errors';
import { REVIEW_EVENTS, seriesInstanceId } from './review-names';
import type { AppServices } from '../composition-root';
import { stopReviewInstance, type RaiseEvent } from './stop-instance';

export type StopDefinitionResult =
  { ok: true; stoppedInstances: number } | { ok: false; status: 404 | 409 | 503; detail: string };

export async function stopDefinition(
  s: Pick<AppServices, 'reviews' | 'audit' | 'clock'>,
  raise: RaiseEvent,
  definitionId: string,
  caller: CallerPrincipal,
  logError: (message: string) => void = () => undefined,
): Promise<StopDefinitionResult> {
  const definition = await s.reviews.definitions.find(definitionId, definitionId);
  if (!definition) return { ok: false, status: 404, detail: `No access review definition ${definitionId}` };
  const marked = await s.reviews.definitions.update(definitionId, definitionId, (d) =>
    d.status === 'Completed'
      ? undefined
      : { ...d, status: 'Completed', lastModifiedDateTime: s.clock.now().toISOString() },
  );
  const by = { id: caller.objectId, displayName: caller.displayName ?? null };
  await raise(seriesInstanceId(definitionId), REVIEW_EVENTS.stopSeries, { by }).catch((err: unknown) => {
    // A finished series needs no telling; a waiting one that missed this sees Completed at its next plan.
    logError(`Could not signal ${seriesInstanceId(definitionId)}: ${String(err)}`);
  });

  let stopped = 0;
  let failed = 0;
  let continuationToken: string | undefined;
  do {
    const page = await s.reviews.listInstances(definitionId, 100, continuationToken);
    for (const instance of page.items) {
      if (instance.status === 'InProgress' && instance.stoppedBy === null) {
        const result = await stopReviewInstance(s, raise, instance, caller, logError);
        if (result.ok) stopped++;
        else if (result.status === 503) failed++;
      } else if (instance.status === 'NotStarted') {
        await s.reviews.instances.delete(instance.id, definitionId, instance._etag).catch((err: unknown) => {
          if (!(err instanceof NotFoundError)) throw err;
        });
      }
    }
    continuationToken = page.continuationToken;
  } while (continuationToken);

  if (failed > 0)
    return {
      ok: false,
      status: 503,
      detail: `${failed} running instance(s) could not be stopped; try again`,
    };
  if (!marked.changed && stopped === 0)
    return { ok: false, status: 409, detail: 'The series has already ended' };
  await s.audit.record({
    id: `review-series:${definitionId}:stopped`,
    activityDateTime: s.clock.now(),
    activityDisplayName: 'Access review series stopped',
    category: 'AccessReview',
    operationType: 'Update',
    result: 'success',
    initiatedBy: userActor(caller.objectId, caller.displayName, caller.userPrincipalName),
    targetResources: [{ id: definitionId, displayName: definition.displayName, type: 'Policy' }],
    correlationId: definitionId,
    details: { definitionId, stoppedInstances: String(stopped) },
  });
  return { ok: true, stoppedInstances: stopped };
}
