/**
 * The current drift of each managed group: one document per group (id = groupId, partition /groupId) in the
 * `driftReports` container, rewritten by every check. Each difference keeps when it was first seen, so a daily
 * check audits and mails only new differences; a difference that is gone is simply not in the next version.
 */
import type { Container } from '@azure/cosmos';
import { z } from 'zod';
import { CosmosRepository, type Page, type Stored } from '../../storage/cosmos-repository';
import type { ContainerSpec } from '../../storage/ensure-database';
import { NotFoundError } from '../../storage/errors';
import { accessIdSchema } from '../../policies/domain/role-settings';
import { DRIFT_KINDS } from '../domain/drift';

export const driftReportsContainer: ContainerSpec = { id: 'driftReports', partitionKeyPath: '/groupId' };

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

export class DriftStore {
  private readonly documents: CosmosRepository<DriftReport>;

  constructor(container: Container) {
    this.documents = new CosmosRepository({
      container,
      schema: driftReportSchema,
      partitionKeyOf: (r) => r.groupId,
    });
  }

  find(groupId: string): Promise<Stored<DriftReport> | undefined> {
    return this.documents.find(groupId, groupId);
  }

  /**
   * Writes the report: creates it when `etag` is undefined (AlreadyExistsError if someone did meanwhile),
   * otherwise replaces it if still at `etag` (ConcurrencyConflictError if not). Either way a concurrent check of
   * the same group makes this one fail and retry, rather than both mailing.
   */
  save(report: DriftReport, etag: string | undefined): Promise<Stored<DriftReport>> {
    return etag === undefined ? this.documents.create(report) : this.documents.replace(report, etag);
  }

  async remove(groupId: string): Promise<void> {
    try {
      await this.documents.delete(groupId, groupId);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
  }

  /** Reports with at least one difference, by group display name; one group's when `groupId` is given. */
  list(q: {
    groupId?: string;
    pageSize: number;
    continuationToken?: string;
  }): Promise<Page<Stored<DriftReport>>> {
    const page = { pageSize: q.pageSize, continuationToken: q.continuationToken };
    if (q.groupId) {
      return this.documents.queryPage(
        'SELECT * FROM c WHERE c.groupId = @groupId AND c.differenceCount > 0',
        { '@groupId': q.groupId },
        { partitionKey: q.groupId, ...page },
      );
    }
    return this.documents.queryPage(
      'SELECT * FROM c WHERE c.differenceCount > 0 ORDER BY c.displayName',
      {},
      { crossPartition: true, ...page },
    );
  }
}
