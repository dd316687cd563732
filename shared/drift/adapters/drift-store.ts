/**
 * The current drift of each managed group and directory role: one document per resource (id = groupId, partition
 * /groupId: the group's id, or `directoryRole:{roleDefinitionId}`, domain/drift-subject.ts) in the `driftReports`
 * container, rewritten by every check. Each difference keeps when it was first seen, so a daily
 * check audits and mails only new differences; a difference that is gone is simply not in the next version.
 */
import type { Container } from '@azure/cosmos';
import { CosmosRepository, type Page, type Stored } from '../../storage/cosmos-repository';
import type { ContainerSpec } from '../../storage/ensure-database';
import { NotFoundError } from '../../storage/errors';
import { driftReportSchema, type DriftReport } from '../domain/drift-report';

export const driftReportsContainer: ContainerSpec = { id: 'driftReports', partitionKeyPath: '/groupId' };

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

  /** Drops a report by its key (a group's id, or roleReportKey(roleDefinitionId) for a role leaving management). */
  async remove(groupId: string): Promise<void> {
    try {
      await this.documents.delete(groupId, groupId);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
  }

  /** The keys of every directory role's report (few: one per role ever checked), for the check's sweep. */
  async roleReportKeys(): Promise<string[]> {
    const keys: string[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await this.documents.queryPage(
        "SELECT * FROM c WHERE c.resourceType = 'directoryRole'",
        {},
        { crossPartition: true, pageSize: 100, continuationToken },
      );
      keys.push(...page.items.map((r) => r.groupId));
      continuationToken = page.continuationToken;
    } while (continuationToken);
    return keys;
  }

  /** Reports with at least one difference, by display name; one resource's when `groupId` (its key) is given. */
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
