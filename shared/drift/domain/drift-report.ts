/**
 * A managed group's (or directory role's) drift report: its current differences (domain/drift.ts), each with when
 * it was first and last seen and, when the resource removes access granted outside pimflow, where that removal
 * stands.
 */
import { z } from 'zod';
import { resourceTypeSchema, roleIdSchema } from '../../access/resource';
import { DRIFT_KINDS } from './drift';
import { ROLE_REPORT_KEY, type DriftSubject } from './drift-subject';

export const driftItemSchema = z.object({
  key: z.string().min(1),
  kind: z.enum(DRIFT_KINDS),
  /** `member` or `owner` of a group, or the directory role definition's id. */
  accessId: roleIdSchema,
  /** Directory roles only: the scope of the assignment. */
  directoryScopeId: z.string().startsWith('/').optional(),
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
   * `keptAsLastOwner` (never removed: a group keeps at least one owner), or `keptAsLastAdmin` (refused: the
   * directory keeps at least one Global Administrator and one Privileged Role Administrator).
   */
  removal: z
    .object({
      status: z.enum(['pending', 'failed', 'keptAsLastOwner', 'keptAsLastAdmin']),
      runId: z.string().min(1),
      dateTime: z.iso.datetime(),
      reason: z.string().nullable(),
    })
    .nullable(),
});
export type DriftItem = z.infer<typeof driftItemSchema>;

export const driftReportSchema = z
  .object({
    id: z.string(),
    /** The partition key: the group's id, or `directoryRole:{roleDefinitionId}` (drift-subject.ts). */
    groupId: z.union([z.guid(), z.string().regex(ROLE_REPORT_KEY)]),
    /** Absent on group reports (written before directory roles, and since). */
    resourceType: resourceTypeSchema.optional(),
    /** Directory roles: the role definition. */
    roleDefinitionId: z.guid().optional(),
    /** The group's or the role's display name. */
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
  subject: DriftSubject,
  differences: DriftItem[],
  checkedDateTime: string,
  runId: string,
  completed: boolean,
): DriftReport {
  return {
    id: subject.reportKey,
    groupId: subject.reportKey,
    ...(subject.resourceType === 'directoryRole'
      ? { resourceType: subject.resourceType, roleDefinitionId: subject.id }
      : {}),
    displayName: subject.displayName,
    lastCheckedDateTime: checkedDateTime,
    lastRunId: runId,
    lastRunCompleted: completed,
    differenceCount: differences.length,
    differences,
  };
}
