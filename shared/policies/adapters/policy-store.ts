/**
 * Role management policies in Cosmos DB: one document per (group, role) (domain/policy.ts), in container
 * `roleManagementPolicies` partitioned by `/scopeId` (the group id). Every change is a replace at the document's
 * ETag, so two PATCHes can't lose an update.
 */
import type { Database } from '@azure/cosmos';
import { CosmosRepository, type Stored } from '../../storage/cosmos-repository';
import type { ContainerSpec } from '../../storage/ensure-database';
import { AlreadyExistsError, NotFoundError } from '../../storage/errors';
import type { GroupRole, ManagedGroup } from '../../managed-groups/domain/managed-group';
import { defaultPolicy, policyDocumentSchema, policyIdFor, type PolicyDocument } from '../domain/policy';

export const roleManagementPoliciesContainer: ContainerSpec = {
  id: 'roleManagementPolicies',
  partitionKeyPath: '/scopeId',
};

export class PolicyStore {
  private readonly documents: CosmosRepository<PolicyDocument>;

  constructor(database: Database) {
    this.documents = new CosmosRepository({
      container: database.container(roleManagementPoliciesContainer.id),
      schema: policyDocumentSchema,
      partitionKeyOf: (p) => p.scopeId,
    });
  }

  find(groupId: string, policyId: string): Promise<Stored<PolicyDocument> | undefined> {
    return this.documents.find(policyId, groupId);
  }

  /**
   * The policy of a managed group's role: read, or created with PIM's defaults if it isn't there (the group was
   * brought under management but the policy write didn't happen, e.g. a crash in between).
   */
  async ensure(group: ManagedGroup, role: GroupRole, now: Date): Promise<Stored<PolicyDocument>> {
    const id = policyIdFor(group, role);
    const found = await this.documents.find(id, group.groupId);
    if (found) return found;
    try {
      return await this.documents.create(defaultPolicy(group, role, now));
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
      return this.documents.get(id, group.groupId);
    }
  }

  /** ConcurrencyConflictError if the policy changed since `etag`. */
  replace(policy: PolicyDocument, etag: string): Promise<Stored<PolicyDocument>> {
    return this.documents.replace(policy, etag);
  }

  /** Deletes every policy document of the group (this management period's and any left behind). */
  async removeAll(groupId: string): Promise<void> {
    let continuationToken: string | undefined;
    do {
      const page = await this.documents.queryPage(
        'SELECT * FROM c WHERE c.scopeId = @g',
        { g: groupId },
        { partitionKey: groupId, continuationToken },
      );
      for (const p of page.items) {
        try {
          await this.documents.delete(p.id, groupId);
        } catch (err) {
          if (!(err instanceof NotFoundError)) throw err;
        }
      }
      continuationToken = page.continuationToken;
    } while (continuationToken);
  }
}
