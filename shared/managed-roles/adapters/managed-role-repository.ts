import type { Container } from '@azure/cosmos';
import { CosmosRepository, type Page, type PageRequest, type Stored } from '../../storage/cosmos-repository';
import type { ContainerSpec } from '../../storage/ensure-database';
import { managedRoleSchema, type ManagedRole } from '../domain/managed-role';

/** One partition per role definition: few documents, each read by its id. */
export const managedRolesContainer: ContainerSpec = { id: 'managedRoles', partitionKeyPath: '/id' };

export class ManagedRoleRepository {
  private readonly documents: CosmosRepository<ManagedRole>;

  constructor(container: Container) {
    this.documents = new CosmosRepository({
      container,
      schema: managedRoleSchema,
      partitionKeyOf: (r) => r.id,
    });
  }

  find(roleDefinitionId: string): Promise<Stored<ManagedRole> | undefined> {
    const id = roleDefinitionId.toLowerCase();
    return this.documents.find(id, id);
  }

  /** Brings a role under management; AlreadyExistsError if it already is. */
  add(role: ManagedRole): Promise<Stored<ManagedRole>> {
    return this.documents.create(role);
  }

  /** Read-modify-write under ETags; NotFoundError if the role is not under management. */
  update(
    roleDefinitionId: string,
    change: (current: Stored<ManagedRole>) => ManagedRole | undefined,
  ): Promise<{ document: Stored<ManagedRole>; changed: boolean }> {
    const id = roleDefinitionId.toLowerCase();
    return this.documents.update(id, id, change);
  }

  remove(roleDefinitionId: string, etag?: string): Promise<void> {
    const id = roleDefinitionId.toLowerCase();
    return this.documents.delete(id, id, etag);
  }

  /** Every managed role, by display name (cross-partition; an administrator's list). */
  listAll(page: PageRequest = {}): Promise<Page<Stored<ManagedRole>>> {
    return this.documents.queryPage(
      'SELECT * FROM c ORDER BY c.displayName',
      {},
      { crossPartition: true, ...page },
    );
  }
}
