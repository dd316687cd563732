/**
 * The schedule lifecycle's activities (the part of the request orchestration that runs while access is in force:
 * expiry notices, expiry, extensions): names, inputs, outputs, retry policies. Shared by
 * orchestrations/schedule-lifecycle.ts (and schedule-request.ts, for extensions), the registrations in
 * functions/schedule-lifecycle-activities.ts and the implementation (lifecycle-activities.ts). Types and names only.
 */
import { backoff, defineActivity } from '../durable/activity';
import type { RequestRef } from '../requests/contract';
import type { ScheduleStatus } from './domain/schedule';

/** Which expiry notice: 14 days or 1 day before the end. */
export type ExpiryNotice = 'P14D' | 'P1D';

/** A schedule (its id is the request's that created it) in its group's partition. */
export interface ScheduleRef {
  scheduleId: string;
  groupId: string;
}

/** Where a schedule's end stands now, as its document says. */
export interface ScheduleEnd {
  endDateTime: string | null;
  status: ScheduleStatus;
}

export interface ExpiryNoticeInput extends ScheduleRef {
  /** The end the notice is about: nothing is sent if the schedule's end has moved. */
  endDateTime: string;
  notice: ExpiryNotice;
}

export interface ExpireInput extends ScheduleRef {
  endDateTime: string;
}

export type ExpireResult = { expired: true } | { expired: false; end: ScheduleEnd };
export type ExtensionResult = { applied: true } | { applied: false; reason: string };

/** A notice's mail is retried for about 10 minutes (8 attempts); after that the lifecycle goes on without it. */
export const NOTICE_RETRY = backoff(5_000, 8, 5 * 60_000);
/** Expiry: a Cosmos DB blip or throttling. */
export const EXPIRE_RETRY = backoff(2_000, 10);
/** Applying an extension: as a grant (Cosmos DB, then the event to the extended schedule's orchestration). */
export const EXTENSION_RETRY = backoff(2_000, 8);

export const LifecycleActivity = {
  sendExpiryNotice: defineActivity<ExpiryNoticeInput, ScheduleEnd>('SendExpiryNotice', NOTICE_RETRY),
  readScheduleEnd: defineActivity<ScheduleRef, ScheduleEnd>('ReadScheduleEnd'),
  expireSchedule: defineActivity<ExpireInput, ExpireResult>('ExpireSchedule', EXPIRE_RETRY),
  /** Raises ExtendSchedule on the extended schedule's orchestration itself (it binds the durable client). */
  applyExtension: defineActivity<RequestRef, ExtensionResult>('ApplyExtension', EXTENSION_RETRY),
};
