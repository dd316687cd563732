/**
 * A group's drift report: its current differences (domain/drift.ts), each with when it was first and last seen and,
 * when the group removes principals added outside pimflow, where that removal stands.
 */
import { z } from 'zod';
import { accessIdSchema } from '../../policies/domain/role-settings';
import { DRIFT_KINDS } from './drift';

export const driftItemSchema = z.object({
  key: z.string().min(1),
  kind: z.enum(DRIFT_KINDS),
  accessId: accessIdSchema,
  principalId: z.string().min(1),
  principalType: z.enum(['user', 'group', 'servicePrincipal', 'other']).nullable(),
  principalDisplayName: z.string().nullable(),
  scheduleId: z.string().nullable(),
  /** ISO 8601, UTC: the check that first saw it, and the latest that still did. */
  firstSeenDateTime: z.iso.datetime(),
  lastSeenDateTime: z.iso.datetime(),
  /** The run (orchestration instance) that first saw it: its audit record and its mail belong to that run. */
  firstSeenRunId: z.string().min(1),
  /**
   * Removal of a principal added outside pimflow, when the group's setting asks for it: `pending` between
   * deciding and Graph confirming (a retried check finishes it), `failed` with Graph's reason, or
   * `keptAsLastOwner` (never removed: a group keeps at least one owner).
   */
  removal: z
    .object({
      status: z.enum(['pending', 'failed', 'keptAsLastOwner']),
      runId: z.string().min(1),
      dateTime: z.iso.datetime(),
      reason: z.string().nullable(),
    })
    .nullable(),
});
export type DriftItem = z.infer<typeof driftItemSchema>;

export const driftReportSchema = z
  .object({
    id: z.guid(),
    groupId: z.guid(),
    displayName: z.string(),
    /** ISO 8601, UTC: when the latest check read Graph. */
    lastCheckedDateTime: z.iso.datetime(),
    lastRunId: z.string().min(1),
    /** Whether the latest run finished with this group (audits, removals and its mail done). */
    lastRunCompleted: z.boolean(),
    /** differences.length, kept so the report list can skip clean groups without reading arrays. */
    differenceCount: z.number().int().nonnegative(),
    differences: z.array(driftItemSchema),
  })
  .refine((r) => r.id === r.groupId, { message: 'id must equal groupId', path: ['id'] });
export type DriftReport = z.infer<typeof driftReportSchema>;

/** The report a check writes: `completed` once the run is done with the group (audits, removals, mail). */
export function reportOf(
  group: { groupId: string; displayName: string },
  differences: DriftItem[],
  checkedDateTime: string,
  runId: string,
  completed: boolean,
): DriftReport {
  return {
    id: group.groupId,
    groupId: group.groupId,
    displayName: group.displayName,
    lastCheckedDateTime: checkedDateTime,
    lastRunId: runId,
    lastRunCompleted: completed,
    differenceCount: differences.length,
    differences,
  };
}
