/**
 * The request orchestration's activities (RequestActivity in contract.ts), built from their dependencies so tests
 * can give them real adapters against the stand-ins. Each is idempotent: a retried or re-run activity (after a
 * crash) leaves one outcome — status changes are guarded by ETags and re-read on conflict, audit records have
 * deterministic ids. They are made of three parts: the request's state, the checks of events, and access changes.
 */
import { createAccessActivities } from './access-activities';
import { createEventConfirmations } from './event-confirmations';
import type { RequestActivityDeps } from './request-activity-deps';
import { createRequestStateActivities } from './request-state-activities';

export type { RequestActivityDeps } from './request-activity-deps';

export function createRequestActivities(d: RequestActivityDeps) {
  return {
    ...createRequestStateActivities(d),
    ...createEventConfirmations(d),
    ...createAccessActivities(d),
  };
}

export type RequestActivities = ReturnType<typeof createRequestActivities>;
