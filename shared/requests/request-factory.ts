/**
 * Building blocks of request handling: a new request, the fingerprint of the POST that made it, and taking the
 * open-request slot.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { CallerPrincipal } from '../auth/principal';
import type { PimStore } from './adapters/pim-store';
import type { RequestBody, RequestKind } from './domain/request-body';
import { requestInstanceId, type ScheduleRequest } from './domain/schedule-request';
import { refused, type SubmitResult } from './domain/submit-outcome';
import { targetNoun } from './domain/principal-rules';

/** A POST repeated within this time, with the same body by the same caller, gets its first request back. */
export const IDEMPOTENT_RETRY_WINDOW_MS = 5 * 60_000;

/**
 * A new request from the body and the caller. A new schedule's id is the request's own (`targetScheduleId: null`
 * here), as is its approval's (`approvalId: 'self'`); its orchestration is the request's unless given. `workflow`
 * is what the orchestration carries out (requests that start one).
 */
export function newRequest(
  body: RequestBody,
  kind: RequestKind,
  caller: CallerPrincipal,
  now: Date,
  fields: Pick<
    ScheduleRequest,
    'scheduleInfo' | 'startDateTime' | 'endDateTime' | 'targetScheduleId' | 'status' | 'completedDateTime'
  > & {
    approvalId: 'self' | null;
    orchestrationInstanceId?: string;
    workflow?: ScheduleRequest['workflow'];
  },
): ScheduleRequest {
  const id = body.requestId ?? randomUUID();
  return {
    id,
    // Group requests keep the shape they always had (no resourceType: a group).
    ...(body.resourceType && body.resourceType !== 'group' ? { resourceType: body.resourceType } : {}),
    groupId: body.groupId,
    kind,
    action: body.action,
    accessId: body.accessId,
    principalId: body.principalId,
    justification: body.justification ?? null,
    ticketInfo: body.ticketInfo ?? null,
    isValidationOnly: body.isValidationOnly ?? false,
    createdBy: { user: { id: caller.objectId, displayName: caller.displayName ?? null } },
    createdDateTime: now.toISOString(),
    ...fields,
    targetScheduleId: fields.targetScheduleId ?? id,
    approvalId: fields.approvalId === 'self' ? id : null,
    orchestrationInstanceId: fields.orchestrationInstanceId ?? requestInstanceId(id),
    idempotencyKey: idempotencyKeyOf(kind, body, caller),
  };
}

/** The same request under another id (a retried POST finishing the request its first attempt began). */
function withId(r: ScheduleRequest, id: string): ScheduleRequest {
  return {
    ...r,
    id,
    targetScheduleId: r.targetScheduleId === r.id ? id : r.targetScheduleId,
    approvalId: r.approvalId === r.id ? id : r.approvalId,
    orchestrationInstanceId:
      r.orchestrationInstanceId === requestInstanceId(r.id)
        ? requestInstanceId(id)
        : r.orchestrationInstanceId,
  };
}

/** The fingerprint of a POST: who asked, and the body as given (so "now" resolved twice is still the same ask). */
export function idempotencyKeyOf(kind: RequestKind, body: RequestBody, caller: CallerPrincipal): string {
  return createHash('sha256')
    .update(
      canonicalJson({
        kind,
        caller: caller.objectId.toLowerCase(),
        body: { ...body, isValidationOnly: false },
      }),
    )
    .digest('base64url');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * Takes the principal's one open-request slot for the group role, for a request about to start. A POST retried after
 * a lost answer gets the request its first attempt stored, or finishes the one it began (same id).
 */
export async function claimSlot(store: PimStore, request: ScheduleRequest, now: Date): Promise<SubmitResult> {
  const lock = await store.locks.take(
    request.groupId,
    request.principalId,
    request.accessId,
    request.id,
    request.idempotencyKey ?? request.id,
    now,
  );
  switch (lock.outcome) {
    case 'taken':
      return { outcome: 'start', request };
    case 'held':
      return refused(
        'conflict',
        `There is already an open request (${lock.holderId}) for this principal, ${targetNoun(request)} and role`,
      );
    case 'sameRequest': {
      const stored = await store.requests.find(lock.requestId, request.groupId);
      if (stored) return { outcome: 'existing', request: stored };
      return { outcome: 'start', request: withId(request, lock.requestId) };
    }
  }
}
