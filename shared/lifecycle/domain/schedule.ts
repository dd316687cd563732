/**
 * An eligibility or assignment schedule, as Graph's `privilegedAccessGroupEligibilitySchedule` /
 * `...AssignmentSchedule`: a principal's access to a group role over a time window. Instances (what is in force
 * now) are the schedules whose window contains the present. Container `schedules`, partitioned by group.
 */
import { z } from 'zod';
import { resourceIdSchema, resourceTypeSchema, roleIdSchema } from '../../access/resource';
import { scheduleInfoSchema } from '../../requests/domain/schedule-request';

export const scheduleStatusSchema = z.enum(['Scheduled', 'Provisioned', 'Revoked', 'Expired', 'Failed']);
export type ScheduleStatus = z.infer<typeof scheduleStatusSchema>;

export const scheduleSchema = z.object({
  id: z.guid(),
  /** A group, or a directory role; absent on schedules written before Entra roles (groups). */
  resourceType: resourceTypeSchema.optional(),
  /** The group's id, or the directory scope. The partition key. */
  groupId: resourceIdSchema,
  kind: z.enum(['assignment', 'eligibility']),
  principalId: z.guid(),
  /** `member` or `owner`, or the directory role definition's id. */
  accessId: roleIdSchema,
  memberType: z.enum(['direct', 'group']),
  /** Assignments only: `assigned` by an admin, or `activated` from an eligibility. */
  assignmentType: z.enum(['assigned', 'activated']).nullable(),
  status: scheduleStatusSchema,
  scheduleInfo: scheduleInfoSchema,
  startDateTime: z.iso.datetime(),
  endDateTime: z.iso.datetime().nullable(),
  createdUsing: z.guid(),
  /** For an activation: the eligibility schedule it came from. */
  activatedUsing: z.guid().nullable(),
  createdDateTime: z.iso.datetime(),
  modifiedDateTime: z.iso.datetime(),
});
export type Schedule = z.infer<typeof scheduleSchema>;

/** Expired schedules stay listed (status Expired) for 30 days after their end; the audit log keeps them for good. */
export const EXPIRED_LISTED_MS = 30 * 86_400_000;
