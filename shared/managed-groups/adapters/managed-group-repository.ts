import type { Container } from '@azure/cosmos';
import { CosmosRepository, type Page, type PageRequest, type Stored } from '../../storage/cosmos-repository';
import type { ContainerSpec } from '../../storage/ensure-database';
import { managedGroupSchema, type ManagedGroup } from '../domain/managed-group';

/** Partitioned by group: everything about one group is one partition's business. */
export const managedGroupsContainer: ContainerSpec = { id: 'managedGroups', partitionKeyPath: '/groupId' };

export class ManagedGroupRepository {
  private readonly documents: CosmosRepository<ManagedGroup>;

  constructor(private readonly container: Container) {
    this.documents = new CosmosRepository({
      container,
      schema: managedGroupSchema,
      partitionKeyOf: (group) => group.groupId,
    });
  }

  find(groupId: string): Promise<Stored<ManagedGroup> | undefined> {
    return this.documents.find(groupId, groupId);
  }

  /** NotFoundError if the group is not under management. */
  get(groupId: string): Promise<Stored<ManagedGroup>> {
    return this.documents.get(groupId, groupId);
  }

  /** Brings a group under management; AlreadyExistsError if it already is. */
  add(group: ManagedGroup): Promise<Stored<ManagedGroup>> {
    return this.documents.create(group);
  }

  /**
   * Read-modify-write under ETags (`change` returns undefined for "nothing to do"); NotFoundError if the group is
   * not under management.
   */
  update(
    groupId: string,
    change: (current: Stored<ManagedGroup>) => ManagedGroup | undefined,
  ): Promise<{ document: Stored<ManagedGroup>; changed: boolean }> {
    return this.documents.update(groupId, groupId, change);
  }

  /** ConcurrencyConflictError if the group changed since `etag` was read. */
  replace(group: ManagedGroup, etag: string): Promise<Stored<ManagedGroup>> {
    return this.documents.replace(group, etag);
  }

  /** Takes a group out of management (only if unchanged since `etag`, when given). */
  remove(groupId: string, etag?: string): Promise<void> {
    return this.documents.delete(groupId, groupId, etag);
  }

  /** Every managed group, by display name: a cross-partition query, fine for an administrator's list. */
  listAll(page: PageRequest = {}): Promise<Page<Stored<ManagedGroup>>> {
    return this.documents.queryPage(
      'SELECT * FROM c ORDER BY c.displayName',
      {},
      { crossPartition: true, ...page },
    );
  }

  /**
   * The ids of every managed group, a page at a time, in id order (stable while groups come and go): what a
   * sweep over all groups (the drift check) pages through, without reading the baselines.
   */
  async listGroupIds(page: PageRequest = {}): Promise<Page<string>> {
    const iterator = this.container.items.query<{ groupId: string }>(
      { query: 'SELECT c.groupId FROM c ORDER BY c.groupId', parameters: [] },
      { maxItemCount: page.pageSize ?? 100, continuationToken: page.continuationToken },
    );
    let result = await iterator.fetchNext();
    while (result.resources.length === 0 && result.continuationToken && iterator.hasMoreResults()) {
      result = await iterator.fetchNext();
    }
    return {
      items: result.resources.map((r) => r.groupId),
      ...(result.continuationToken ? { continuationToken: result.continuationToken } : {}),
    };
  }
}
