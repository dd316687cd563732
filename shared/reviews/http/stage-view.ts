/**
 * A stage of a multi-stage instance as the API shows it: Graph's accessReviewStage. The route names a stage by
 * Graph's id (a GUID) or by its `stageId` from the definition's stageSettings.
 */
import type { HttpResponseInit } from '@azure/functions';
import { problem } from '../../http/problem';
import type { InstanceStage, ReviewInstance } from '../domain/review-instance';
import { findStage } from '../domain/review-stages';

export function stageView(s: InstanceStage) {
  return {
    '@odata.type': '#microsoft.graph.accessReviewStage',
    id: s.id,
    startDateTime: s.startDateTime,
    endDateTime: s.endDateTime,
    status: s.status,
    reviewers: s.reviewers,
    fallbackReviewers: s.fallbackReviewers,
  };
}

/** The stage a route names, or a 404 that says why. */
export function routeStage(
  instance: ReviewInstance,
  stageId: string | undefined,
): { ok: true; stage: InstanceStage } | { ok: false; response: HttpResponseInit } {
  if (!instance.stages)
    return {
      ok: false,
      response: problem(404, `Instance ${instance.id} is a single-stage review: it has no stages`),
    };
  const stage = stageId ? findStage(instance, stageId) : undefined;
  if (!stage)
    return {
      ok: false,
      response: problem(
        404,
        `No stage ${stageId ?? ''} in instance ${instance.id}; its stages are ${instance.stages.map((s) => `${s.id} (${s.stageId})`).join(', ')}`,
      ),
    };
  return { ok: true, stage };
}
