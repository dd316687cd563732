/**
 * Creating a schedule request, end to end: submit it (submit-request.ts), then carry out what that decided — start
 * the request's orchestration and then store the request, or tell a running orchestration to end its access. The
 * orchestrations are reached through a port (the durable client, in functions/).
 */
import type { CallerPrincipal } from '../auth/principal';
import type { DurableEvent } from '../durable/activity';
import { RequestEvent } from './contract';
import type { RequestBody, RequestKind } from './domain/request-body';
import type { ScheduleRequest } from './domain/schedule-request';
import { refused, type Refusal } from './domain/submit-outcome';
import { submitRequest, type SubmitDeps } from './submit-request';

/** The request orchestrations as creating a request needs them. */
export interface RequestOrchestrations {
  /** Starts the request's orchestration (`request-{id}`); false when it could not be started. */
  start(request: ScheduleRequest): Promise<boolean>;
  /** Raises an event; throws when the instance doesn't exist or has finished. */
  raise<P>(instanceId: string, event: DurableEvent<P>, payload: P): Promise<void>;
}

/**
 * `created`: a new request, its orchestration started; `ended`: an end request, its target told; `existing`: the
 * request the same POST made before (its answer was lost); `validated`: checked only, nothing stored.
 */
export type CreateOutcome =
  { outcome: 'created' | 'ended' | 'existing' | 'validated'; request: ScheduleRequest } | Refusal;

export async function createRequest(
  deps: SubmitDeps,
  orchestrations: RequestOrchestrations,
  kind: RequestKind,
  body: RequestBody,
  caller: CallerPrincipal,
  now: Date,
): Promise<CreateOutcome> {
  const result = await submitRequest(deps, kind, body, caller, now);
  switch (result.outcome) {
    case 'refused':
    case 'validated':
    case 'existing':
      return result;
    case 'end':
      try {
        await orchestrations.raise(result.targetInstanceId, RequestEvent.end, {
          by: result.by,
          endRequestId: result.request.id,
        });
      } catch {
        return refused('conflict', 'That access has already ended');
      }
      return { outcome: 'ended', request: result.request };
    case 'start': {
      // The orchestration first, the request second: a crash in between leaves an orchestration that finds no
      // request, frees the slot and ends — never a stored request with nothing behind it.
      const r = result.request;
      if (!(await orchestrations.start(r))) {
        await deps.store.locks.release(r.groupId, r.principalId, r.accessId, r.id);
        return refused('unavailable', 'The request could not be started; try again');
      }
      await deps.store.createRequestIfAbsent(r);
      return { outcome: 'created', request: r };
    }
  }
}
