/**
 * The request orchestration's activities about the request itself: finding it as stored (the orchestration's first
 * step), freeing the slot of one never stored, and recording its status as it goes. Idempotent: status changes are
 * ETag-guarded and re-read on conflict, audit records have deterministic ids.
 */
import type { LoadRequestInput, LoadRequestResult, RequestRef, SetRequestStatusInput } from './contract';
import { requestStatusRecord } from './domain/audit-records';
import { workflowOf } from './domain/request-workflow';
import { OPEN_STATUSES, type RequestStatus } from './domain/schedule-request';
import { auditRefusal, type RequestActivityDeps } from './request-activity-deps';
import { createRequestNotifier } from './request-notices';

/**
 * The POST stores the request right after it starts the orchestration, usually within milliseconds: look again soon,
 * then less often (about 3 s in all) before the orchestration's durable timers take over.
 */
const LOAD_POLL_DELAYS_MS = [10, 20, 40, 80, 150, 300, 400, 500, 500, 500, 500];

/** A request ending in one of these tells its requester why (a notice of that event). */
const NOTIFIED_ENDS = ['Denied', 'TimedOut', 'Canceled', 'Failed'] as const;

function isNotifiedEnd(status: RequestStatus): status is (typeof NOTIFIED_ENDS)[number] {
  return (NOTIFIED_ENDS as readonly RequestStatus[]).includes(status);
}

export function createRequestStateActivities(d: RequestActivityDeps) {
  const notify = createRequestNotifier(d);
  return {
    /**
     * The orchestration's first step: its request as stored (the POST starts the orchestration, then stores the
     * request, so it waits a moment for it). Only `request-{id}` may run a request, and only while it is open.
     */
    async loadRequest(a: LoadRequestInput): Promise<LoadRequestResult> {
      let request = await d.store.requests.find(a.requestId, a.groupId);
      for (const delay of a.poll === false ? [] : LOAD_POLL_DELAYS_MS) {
        if (request) break;
        await new Promise((resolve) => setTimeout(resolve, delay));
        request = await d.store.requests.find(a.requestId, a.groupId);
      }
      if (!request) return { outcome: 'missing' };
      // An end request names its target's instance, and is never open: it can't be run from here either.
      if (request.orchestrationInstanceId !== a.instanceId) {
        const reason = `Instance ${a.instanceId} does not carry out request ${request.id}`;
        await auditRefusal(
          d,
          a,
          'orchestration started for a request it does not carry out',
          reason,
          request.principalId,
          { instanceId: a.instanceId },
        );
        return { outcome: 'refused', reason };
      }
      if (!OPEN_STATUSES.includes(request.status)) return { outcome: 'closed', status: request.status };
      return {
        outcome: 'run',
        workflow: workflowOf(request),
        status: request.status,
        cancelRequested: Boolean(request.cancelRequested),
      };
    },

    /** The request was never stored (its POST died after starting the orchestration): free its slot. */
    async abandonRequest(a: RequestRef): Promise<void> {
      if (await d.store.requests.find(a.requestId, a.groupId)) return;
      await d.store.locks.releaseAllOf(a.groupId, a.requestId);
      d.log?.(`Request ${a.requestId} was never stored; its orchestration ends and frees its slot`);
    },

    async setRequestStatus(a: SetRequestStatusInput): Promise<void> {
      const now = d.clock.now().toISOString();
      const { document: request } = await d.store.requests.update(a.requestId, a.groupId, (r) =>
        r.status === a.status
          ? undefined
          : { ...r, status: a.status, completedDateTime: a.completed ? now : r.completedDateTime },
      );
      await d.audit.record(requestStatusRecord(a, request, a.status, a.reason, d.clock.now()));
      if (a.completed) {
        await d.store.locks.release(a.groupId, request.principalId, request.accessId, a.requestId);
        if (isNotifiedEnd(a.status)) {
          await notify(request, a.status, a.reason);
        } else if (a.status === 'Provisioned' && request.action.endsWith('Extend')) {
          await notify(request, 'Extended', request.justification);
        }
      }
    },
  };
}
