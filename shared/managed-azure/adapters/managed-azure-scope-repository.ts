import type { Container } from '@azure/cosmos';
import { CosmosRepository, type Page, type PageRequest, type Stored } from '../../storage/cosmos-repository';
import type { ContainerSpec } from '../../storage/ensure-database';
import {
  managedAzureScopeId,
  managedAzureScopeSchema,
  type ManagedAzureScope,
} from '../domain/managed-scope';

/** One partition per managed scope (its id, a GUID of the scope): few documents, each read by its id. */
export const managedAzureScopesContainer: ContainerSpec = {
  id: 'managedAzureScopes',
  partitionKeyPath: '/id',
};

export class ManagedAzureScopeRepository {
  private readonly documents: CosmosRepository<ManagedAzureScope>;

  constructor(container: Container) {
    this.documents = new CosmosRepository({
      container,
      schema: managedAzureScopeSchema,
      partitionKeyOf: (s) => s.id,
    });
  }

  /** By the managed scope's id (a GUID). */
  find(id: string): Promise<Stored<ManagedAzureScope> | undefined> {
    const key = id.toLowerCase();
    return this.documents.find(key, key);
  }

  /** By the ARM scope, in any spelling. */
  findByScope(scope: string): Promise<Stored<ManagedAzureScope> | undefined> {
    return this.find(managedAzureScopeId(scope));
  }

  /** Brings a scope under management; AlreadyExistsError if it already is. */
  add(scope: ManagedAzureScope): Promise<Stored<ManagedAzureScope>> {
    return this.documents.create(scope);
  }

  /** Read-modify-write under ETags; NotFoundError if the scope is not under management. */
  update(
    id: string,
    change: (current: Stored<ManagedAzureScope>) => ManagedAzureScope | undefined,
  ): Promise<{ document: Stored<ManagedAzureScope>; changed: boolean }> {
    const key = id.toLowerCase();
    return this.documents.update(key, key, change);
  }

  remove(id: string, etag?: string): Promise<void> {
    const key = id.toLowerCase();
    return this.documents.delete(key, key, etag);
  }

  /** Every managed scope, by scope (a management group before what is under it; cross-partition). */
  listAll(page: PageRequest = {}): Promise<Page<Stored<ManagedAzureScope>>> {
    return this.documents.queryPage(
      'SELECT * FROM c ORDER BY c.scope',
      {},
      { crossPartition: true, ...page },
    );
  }
}
