/**
 * A schedule's life while in force (part of the request orchestration that created it; instance id from the
 * schedule id, which is that request's id): wait for the end, sending expiry notices 14 days and 1 day before it
 * (eligible and assigned schedules, not activations), and let an approved extension move the end and the notices'
 * timers without restarting anything. Returns the early end (who, and whether the access is already removed), or
 * null when it expired.
 */
import * as df from 'durable-functions';
import type { OrchestrationContext, Task, TimerTask } from 'durable-functions';
import { REQUEST_ACTIVITIES as A } from '../shared/requests/activity-names';
import { REQUEST_EVENTS, type EndAccessEvent } from '../shared/requests/domain/schedule-request';
import type { RequestWorkflowInput } from '../shared/requests/submit-request';
import type { ConfirmedEnd } from '../shared/requests/request-activities';
import type { ExpireResult, ExpiryNotice, ScheduleEnd } from '../shared/lifecycle/lifecycle-activities';

const DAY_MS = 86_400_000;
const NOTICES: readonly { notice: ExpiryNotice; beforeMs: number }[] = [
  { notice: 'P14D', beforeMs: 14 * DAY_MS },
  { notice: 'P1D', beforeMs: DAY_MS },
];
/** A notice's mail is retried for about 10 minutes (8 attempts); after that the lifecycle goes on without it. */
const NOTICE_RETRY = (() => {
  const options = new df.RetryOptions(5_000, 8);
  options.backoffCoefficient = 2;
  options.maxRetryIntervalInMilliseconds = 5 * 60_000;
  return options;
})();
const EXPIRE_RETRY = (() => {
  const options = new df.RetryOptions(2_000, 10);
  options.backoffCoefficient = 2;
  options.maxRetryIntervalInMilliseconds = 60_000;
  return options;
})();

interface PendingNotice {
  notice: ExpiryNotice;
  at: Date;
}

export function* runLifecycle(
  context: OrchestrationContext,
  input: RequestWorkflowInput,
): Generator<Task, EndAccessEvent | null, unknown> {
  const schedule = { scheduleId: input.requestId, groupId: input.groupId };
  const withNotices = input.action !== 'selfActivate';
  const noticesFor = (end: string | null): PendingNotice[] => {
    const now = context.df.currentUtcDateTime.getTime();
    if (!withNotices || end === null) return [];
    // Only notices still ahead: a 10-day assignment gets no 14-day notice, nor does an end just moved closer.
    return NOTICES.map((n) => ({
      notice: n.notice,
      at: new Date(new Date(end).getTime() - n.beforeMs),
    })).filter((n) => n.at.getTime() > now);
  };

  // One waiter per event name for the whole loop: a second waiter for the same name would leave the first open,
  // and the event could go to it. A consumed extension is replaced by a fresh waiter.
  let endEvent = context.df.waitForExternalEvent(REQUEST_EVENTS.end);
  let extendEvent = context.df.waitForExternalEvent(REQUEST_EVENTS.extend);
  let end = input.endDateTime;
  let pending = noticesFor(end);
  const moveEnd = (to: string | null) => {
    if (to !== end) {
      end = to;
      pending = noticesFor(end);
    }
  };

  for (;;) {
    const next = pending[0];
    const deadline = next ? next.at : end !== null ? new Date(end) : null;
    const timer: TimerTask | undefined = deadline ? context.df.createTimer(deadline) : undefined;
    const winner = yield context.df.Task.any(
      timer ? [timer, endEvent, extendEvent] : [endEvent, extendEvent],
    );
    if (winner === endEvent) {
      timer?.cancel();
      const event = (endEvent.result ?? {}) as EndAccessEvent;
      endEvent = context.df.waitForExternalEvent(REQUEST_EVENTS.end);
      // The event is a hint: the end counts only when a stored end request or review decision backs it.
      const confirmed = (yield context.df.callActivity(A.confirmEnd, {
        requestId: input.requestId,
        groupId: input.groupId,
        event,
      })) as ConfirmedEnd;
      if (confirmed.confirmed) {
        return { by: confirmed.by, alreadyRevoked: confirmed.alreadyRevoked };
      }
      continue;
    }
    if (winner === extendEvent) {
      timer?.cancel();
      extendEvent = context.df.waitForExternalEvent(REQUEST_EVENTS.extend);
      // The new end is what the schedule document says, not what the event claims.
      const now = (yield context.df.callActivity(A.readScheduleEnd, schedule)) as ScheduleEnd;
      moveEnd(now.endDateTime);
      continue;
    }
    if (next && end !== null) {
      pending.shift();
      try {
        const now = (yield context.df.callActivityWithRetry(A.sendExpiryNotice, NOTICE_RETRY, {
          ...schedule,
          endDateTime: end,
          notice: next.notice,
        })) as ScheduleEnd;
        // The end moved and its event hasn't arrived yet: follow the document.
        moveEnd(now.endDateTime);
      } catch {
        // The notice couldn't be sent (the failures are in the instance's history); access still ends on time.
      }
      continue;
    }
    if (end === null) continue;
    const expired = (yield context.df.callActivityWithRetry(A.expireSchedule, EXPIRE_RETRY, {
      ...schedule,
      endDateTime: end,
    })) as ExpireResult;
    if (expired.expired) return null;
    moveEnd(expired.end.endDateTime);
  }
}
