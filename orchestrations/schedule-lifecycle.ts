/**
 * A schedule's life while in force (part of the request orchestration that created it; instance id from the
 * schedule id, which is that request's id): wait for the end, sending expiry notices 14 days and 1 day before it
 * (eligible and assigned schedules, not activations), and let an approved extension move the end and the notices'
 * timers without restarting anything. Returns the early end (who, and whether the access is already removed), or
 * null when it expired.
 */
import type { OrchestrationContext, Task, TimerTask } from 'durable-functions';
import { call, eventTask, resultOf } from '../shared/durable/activity';
import { LifecycleActivity, type ExpiryNotice } from '../shared/lifecycle/contract';
import {
  RequestActivity,
  RequestEvent,
  type EndAccessEvent,
  type RequestWorkflowInput,
} from '../shared/requests/contract';

const DAY_MS = 86_400_000;
const NOTICES: readonly { notice: ExpiryNotice; beforeMs: number }[] = [
  { notice: 'P14D', beforeMs: 14 * DAY_MS },
  { notice: 'P1D', beforeMs: DAY_MS },
];

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
  let endEvent = eventTask(context, RequestEvent.end);
  let extendEvent = eventTask(context, RequestEvent.extend);
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
      const event = resultOf(endEvent) ?? {};
      endEvent = eventTask(context, RequestEvent.end);
      // The event is a hint: the end counts only when a stored end request or review decision backs it.
      const confirmed = yield* call(context, RequestActivity.confirmEnd, {
        requestId: input.requestId,
        groupId: input.groupId,
        event,
      });
      if (confirmed.confirmed) {
        return { by: confirmed.by, alreadyRevoked: confirmed.alreadyRevoked };
      }
      continue;
    }
    if (winner === extendEvent) {
      timer?.cancel();
      extendEvent = eventTask(context, RequestEvent.extend);
      // The new end is what the schedule document says, not what the event claims.
      const now = yield* call(context, LifecycleActivity.readScheduleEnd, schedule);
      moveEnd(now.endDateTime);
      continue;
    }
    if (next && end !== null) {
      pending.shift();
      try {
        const now = yield* call(context, LifecycleActivity.sendExpiryNotice, {
          ...schedule,
          endDateTime: end,
          notice: next.notice,
        });
        // The end moved and its event hasn't arrived yet: follow the document.
        moveEnd(now.endDateTime);
      } catch {
        // The notice couldn't be sent (the failures are in the instance's history); access still ends on time.
      }
      continue;
    }
    if (end === null) continue;
    const expired = yield* call(context, LifecycleActivity.expireSchedule, { ...schedule, endDateTime: end });
    if (expired.expired) return null;
    moveEnd(expired.end.endDateTime);
  }
}
