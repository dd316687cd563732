/**
 * Role management policies in Cosmos DB: one document per (group, role) and per managed directory role
 * and per (managed Azure scope, Azure role) (domain/policy.ts), in container `roleManagementPolicies` partitioned by
 * `/scopeId` (the group id; `/` for every directory role; the managed ARM scope, lower case, for Azure roles). Every change is a replace at the document's ETag, so two PATCHes can't lose an update.
 */
import type { Database } from '@azure/cosmos';
import { CosmosRepository, type Stored } from '../../storage/cosmos-repository';
import type { ContainerSpec } from '../../storage/ensure-database';
import { AlreadyExistsError, NotFoundError } from '../../storage/errors';
import type { GroupRole, ManagedGroup } from '../../managed-groups/domain/managed-group';
import type { ManagedRole } from '../../managed-roles/domain/managed-role';
import {
  azureRolePolicyIdFor,
  defaultAzureRolePolicy,
  defaultDirectoryRolePolicy,
  defaultPolicy,
  directoryRolePolicyIdFor,
  policyDocumentSchema,
  policyIdFor,
  type PolicyDocument,
} from '../domain/policy';

/** The partition of every directory role's policy (Graph's scopeId for them). */
const DIRECTORY = '/';

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

  /** By the policy's scopeId (a group id, or `/` for a directory role's policy) and id. */
  find(scopeId: string, policyId: string): Promise<Stored<PolicyDocument> | undefined> {
    return this.documents.find(policyId, scopeId);
  }

  /**
   * The policy of a managed group's role: read, or created with PIM's defaults if it isn't there (the group was
   * brought under management but the policy write didn't happen, e.g. a crash in between).
   */
  ensure(group: ManagedGroup, role: GroupRole, now: Date): Promise<Stored<PolicyDocument>> {
    return this.findOrCreate(policyIdFor(group, role), group.groupId, () => defaultPolicy(group, role, now));
  }

  /** The policy of a managed directory role: read, or created with Entra's defaults (as `ensure` for groups). */
  ensureForRole(role: ManagedRole, tenantId: string, now: Date): Promise<Stored<PolicyDocument>> {
    return this.findOrCreate(directoryRolePolicyIdFor(tenantId, role), DIRECTORY, () =>
      defaultDirectoryRolePolicy(tenantId, role, now),
    );
  }

  /**
   * The policy of an Azure role at a managed scope (`governed`: the managed scope, normalized, and since when):
   * read, or created with PIM's defaults for Azure resource roles on first use.
   */
  ensureForAzureRole(
    governed: { scope: string; managedSince: string },
    roleDefinitionId: string,
    now: Date,
  ): Promise<Stored<PolicyDocument>> {
    return this.findOrCreate(
      azureRolePolicyIdFor(governed, roleDefinitionId),
      governed.scope.toLowerCase(),
      () => defaultAzureRolePolicy(governed, roleDefinitionId, now),
    );
  }

  /** The Azure role policies stored at a managed scope (normalized), any management period's. */
  async listAzureRolePolicies(scope: string): Promise<Stored<PolicyDocument>[]> {
    const out: Stored<PolicyDocument>[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await this.documents.queryPage(
        "SELECT * FROM c WHERE c.scopeType = 'AzureRole' ORDER BY c.roleDefinitionId",
        {},
        { partitionKey: scope.toLowerCase(), continuationToken },
      );
      out.push(...page.items);
      continuationToken = page.continuationToken;
    } while (continuationToken);
    return out;
  }

  /** Deletes every Azure role policy of a managed scope (this management period's and any left behind). */
  removeAllForAzureScope(scope: string): Promise<void> {
    const scopeId = scope.toLowerCase();
    return this.removeWhere("SELECT * FROM c WHERE c.scopeType = 'AzureRole'", {}, scopeId);
  }

  private async findOrCreate(
    id: string,
    scopeId: string,
    create: () => PolicyDocument,
  ): Promise<Stored<PolicyDocument>> {
    const found = await this.documents.find(id, scopeId);
    if (found) return found;
    try {
      return await this.documents.create(create());
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
      return this.documents.get(id, scopeId);
    }
  }

  /** ConcurrencyConflictError if the policy changed since `etag`. */
  replace(policy: PolicyDocument, etag: string): Promise<Stored<PolicyDocument>> {
    return this.documents.replace(policy, etag);
  }

  /** Deletes every policy document of the group (this management period's and any left behind). */
  removeAll(groupId: string): Promise<void> {
    return this.removeWhere('SELECT * FROM c WHERE c.scopeId = @g', { g: groupId }, groupId);
  }

  /** Deletes every policy document of the directory role (this management period's and any left behind). */
  removeAllForRole(roleDefinitionId: string): Promise<void> {
    return this.removeWhere(
      "SELECT * FROM c WHERE c.scopeType = 'DirectoryRole' AND c.roleDefinitionId = @r",
      { r: roleDefinitionId.toLowerCase() },
      DIRECTORY,
    );
  }

  private async removeWhere(query: string, parameters: Record<string, string>, scopeId: string) {
    let continuationToken: string | undefined;
    do {
      const page = await this.documents.queryPage(query, parameters, {
        partitionKey: scopeId,
        continuationToken,
      });
      for (const p of page.items) {
        try {
          await this.documents.delete(p.id, scopeId);
        } catch (err) {
          if (!(err instanceof NotFoundError)) throw err;
        }
      }
      continuationToken = page.continuationToken;
    } while (continuationToken);
  }
}
