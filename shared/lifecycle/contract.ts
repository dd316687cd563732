/**
 * The schedule lifecycle's activities (the part of the request orchestration that runs while access is in force:
 * expiry notices, expiry, extensions): names, inputs, outputs, retry policies. Types and names only.
 */
import { backoff, defineActivity } from '../durable/activity';
import type { LifecycleActivities } from './lifecycle-activities';

type In<K extends keyof LifecycleActivities> = Parameters<LifecycleActivities[K]>[0];
type Out<K extends keyof LifecycleActivities> = Awaited<ReturnType<LifecycleActivities[K]>>;

export const LifecycleActivity = {
  sendExpiryNotice: defineActivity<In<'sendExpiryNotice'>, Out<'sendExpiryNotice'>>('SendExpiryNotice'),
  readScheduleEnd: defineActivity<In<'readScheduleEnd'>, Out<'readScheduleEnd'>>('ReadScheduleEnd'),
  expireSchedule: defineActivity<In<'expireSchedule'>, Out<'expireSchedule'>>('ExpireSchedule'),
  /** Raises ExtendSchedule on the extended schedule's orchestration itself (it binds the durable client). */
  applyExtension: defineActivity<In<'applyExtension'>, Out<'applyExtension'>>(
    'ApplyExtension',
    backoff(2_000, 8),
  ),
};
