/**
 * The Directory over Microsoft Graph v1.0 (directory roles: graph-roles.ts). Changes are idempotent: adding a
 * member (or role assignment) that is already there and removing one that isn't both count as done ('unchanged'),
 * so a retried grant or revoke is safe.
 */
import type { TokenCredential } from '@azure/core-auth';
import type * as Graph from '@microsoft/microsoft-graph-types';
import type {
  BulkItemResult,
  Directory,
  DirectoryGroup,
  DirectoryPrincipal,
  DirectoryRoleAssignment,
  DirectoryRoleDefinition,
  DirectoryUser,
  MembershipChange,
  SignInActivity,
} from './directory';
import { GraphApi } from './graph-api';
import type { BatchOutcome, BatchStep } from './graph-batch';
import { createGraphClient } from './graph-client';
import { GraphError } from './graph-error';
import { GraphRoles, type RoleAssignmentFilter } from './graph-roles';
import {
  GROUP_SELECT,
  PRINCIPAL_SELECT,
  toGroup,
  toPrincipal,
  toSignInActivity,
  toUser,
  USER_SELECT,
} from './graph-mapping';
import { DEFAULT_MAX_RETRIES, DEFAULT_REPLICATION_RETRIES } from './retry-policy';

export interface GraphDirectoryOptions {
  /** e.g. `https://graph.microsoft.com/v1.0` (the GRAPH_BASE_URL setting). */
  baseUrl: string;
  credential: TokenCredential;
  sleep?: (ms: number) => Promise<void>;
  /** Retries of a throttled (429) or unavailable (503/504) request, batch sub-requests included. */
  maxRetries?: number;
  /** Retries of a reference write whose object Graph doesn't see yet (404 shortly after it was created). */
  replicationRetries?: number;
}

type Relation = 'members' | 'owners';

const PAGE = '$top=999';
const seg = encodeURIComponent;

export function createGraphDirectory(options: GraphDirectoryOptions): Directory {
  const api = new GraphApi(createGraphClient(options.baseUrl, options.credential), {
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
    replicationRetries: options.replicationRetries ?? DEFAULT_REPLICATION_RETRIES,
  });
  return new GraphDirectory(api, options.baseUrl.replace(/\/+$/, ''));
}

class GraphDirectory implements Directory {
  private readonly roles: GraphRoles;

  constructor(
    private readonly api: GraphApi,
    private readonly baseUrl: string,
  ) {
    this.roles = new GraphRoles(api);
  }

  async getUser(idOrUpn: string): Promise<DirectoryUser | null> {
    const user = await this.api.find<Graph.User>(`/users/${seg(idOrUpn)}?$select=${USER_SELECT}`);
    return user && toUser(user);
  }

  async getUsers(ids: readonly string[]): Promise<Record<string, DirectoryUser | null>> {
    const steps = ids.map((id): BatchStep => ({
      method: 'GET',
      url: `/users/${seg(id)}?$select=${USER_SELECT}`,
    }));
    return this.keyed(ids, steps, (body) => toUser(body as Graph.User));
  }

  async getManager(userId: string): Promise<DirectoryUser | null> {
    // One call that tells "no such user" (404) from "no manager" (no `manager` in the answer).
    const user = await this.api.get<Graph.User>(
      `/users/${seg(userId)}?$select=id&$expand=manager($select=${USER_SELECT})`,
    );
    return user.manager ? toUser(user.manager as Graph.User) : null;
  }

  async getSignInActivity(userId: string): Promise<SignInActivity | null> {
    const user = await this.api.find<Graph.User>(`/users/${seg(userId)}?$select=id,signInActivity`);
    return user && toSignInActivity(user.signInActivity);
  }

  async getSignInActivities(userIds: readonly string[]): Promise<Record<string, SignInActivity | null>> {
    const steps = userIds.map((id): BatchStep => ({
      method: 'GET',
      url: `/users/${seg(id)}?$select=id,signInActivity`,
    }));
    return this.keyed(userIds, steps, (body) => toSignInActivity((body as Graph.User).signInActivity));
  }

  async getGroup(groupId: string): Promise<DirectoryGroup | null> {
    const group = await this.api.find<Graph.Group>(`/groups/${seg(groupId)}?$select=${GROUP_SELECT}`);
    return group && toGroup(group);
  }

  async getPrincipal(id: string): Promise<DirectoryPrincipal | null> {
    const object = await this.api.find<Graph.DirectoryObject>(`/directoryObjects/${seg(id)}`);
    return object && toPrincipal(object);
  }

  listGroupMembers(groupId: string): Promise<DirectoryPrincipal[]> {
    return this.list(groupId, 'members');
  }

  listGroupOwners(groupId: string): Promise<DirectoryPrincipal[]> {
    return this.list(groupId, 'owners');
  }

  listTransitiveMembers(groupId: string): Promise<DirectoryPrincipal[]> {
    return this.list(groupId, 'transitiveMembers');
  }

  async isMember(groupId: string, principalId: string): Promise<boolean> {
    return this.holds(groupId, 'members', principalId);
  }

  async isOwner(groupId: string, principalId: string): Promise<boolean> {
    return this.holds(groupId, 'owners', principalId);
  }

  addMember(groupId: string, principalId: string): Promise<MembershipChange> {
    return this.add(groupId, 'members', principalId);
  }

  removeMember(groupId: string, principalId: string): Promise<MembershipChange> {
    return this.remove(groupId, 'members', principalId);
  }

  addOwner(groupId: string, principalId: string): Promise<MembershipChange> {
    return this.add(groupId, 'owners', principalId);
  }

  removeOwner(groupId: string, principalId: string): Promise<MembershipChange> {
    return this.remove(groupId, 'owners', principalId);
  }

  addMembers(groupId: string, principalIds: readonly string[]): Promise<BulkItemResult[]> {
    return this.bulk(groupId, 'members', 'add', principalIds);
  }

  removeMembers(groupId: string, principalIds: readonly string[]): Promise<BulkItemResult[]> {
    return this.bulk(groupId, 'members', 'remove', principalIds);
  }

  addOwners(groupId: string, principalIds: readonly string[]): Promise<BulkItemResult[]> {
    return this.bulk(groupId, 'owners', 'add', principalIds);
  }

  removeOwners(groupId: string, principalIds: readonly string[]): Promise<BulkItemResult[]> {
    return this.bulk(groupId, 'owners', 'remove', principalIds);
  }

  listRoleDefinitions(): Promise<DirectoryRoleDefinition[]> {
    return this.roles.listDefinitions();
  }

  getRoleDefinition(id: string): Promise<DirectoryRoleDefinition | null> {
    return this.roles.getDefinition(id);
  }

  listRoleAssignments(filter: RoleAssignmentFilter): Promise<DirectoryRoleAssignment[]> {
    return this.roles.listAssignments(filter);
  }

  addRoleAssignment(roleDefinitionId: string, principalId: string, scope: string): Promise<MembershipChange> {
    return this.roles.add(roleDefinitionId, principalId, scope);
  }

  removeRoleAssignment(
    roleDefinitionId: string,
    principalId: string,
    scope: string,
  ): Promise<MembershipChange> {
    return this.roles.remove(roleDefinitionId, principalId, scope);
  }

  getAdministrativeUnit(id: string): Promise<{ id: string; displayName: string } | null> {
    return this.roles.getAdministrativeUnit(id);
  }

  private async list(groupId: string, nav: Relation | 'transitiveMembers'): Promise<DirectoryPrincipal[]> {
    const objects = await this.api.listAll<Graph.DirectoryObject>(
      `/groups/${seg(groupId)}/${nav}?$select=${PRINCIPAL_SELECT}&${PAGE}`,
    );
    return objects.map(toPrincipal);
  }

  /** Reads the direct list rather than filtering it: $filter on members needs Graph's eventual-consistency index. */
  private async holds(groupId: string, relation: Relation, principalId: string): Promise<boolean> {
    const objects = await this.api.listAll<Graph.DirectoryObject>(
      `/groups/${seg(groupId)}/${relation}?$select=id&${PAGE}`,
    );
    return objects.some((o) => o.id?.toLowerCase() === principalId.toLowerCase());
  }

  private async add(groupId: string, relation: Relation, principalId: string): Promise<MembershipChange> {
    try {
      await this.api.post(`/groups/${seg(groupId)}/${relation}/$ref`, this.reference(principalId), {
        retryNotFound: true,
      });
      return 'changed';
    } catch (err) {
      if (err instanceof GraphError && err.isAlreadyExists) return 'unchanged';
      throw err;
    }
  }

  private async remove(groupId: string, relation: Relation, principalId: string): Promise<MembershipChange> {
    try {
      await this.api.delete(`/groups/${seg(groupId)}/${relation}/${seg(principalId)}/$ref`);
      return 'changed';
    } catch (err) {
      if (err instanceof GraphError && err.status === 404) return 'unchanged';
      throw err;
    }
  }

  private async bulk(
    groupId: string,
    relation: Relation,
    action: 'add' | 'remove',
    principalIds: readonly string[],
  ): Promise<BulkItemResult[]> {
    const steps = principalIds.map((id): BatchStep =>
      action === 'add'
        ? {
            method: 'POST',
            url: `/groups/${seg(groupId)}/${relation}/$ref`,
            body: this.reference(id),
            retryNotFound: true,
          }
        : { method: 'DELETE', url: `/groups/${seg(groupId)}/${relation}/${seg(id)}/$ref` },
    );
    const outcomes = await this.api.batch(steps);
    return outcomes.map((outcome, i) => bulkResult(principalIds[i] ?? '', action, outcome));
  }

  /** Graph names the object by URL; its host is whatever Graph we talk to. */
  private reference(principalId: string): { '@odata.id': string } {
    return { '@odata.id': `${this.baseUrl}/directoryObjects/${seg(principalId)}` };
  }

  /** Runs GETs through $batch and keys the answers by the id asked for: null for 404, other errors thrown. */
  private async keyed<T>(
    ids: readonly string[],
    steps: BatchStep[],
    map: (body: unknown) => T,
  ): Promise<Record<string, T | null>> {
    const outcomes = await this.api.batch(steps);
    const out: Record<string, T | null> = {};
    outcomes.forEach((outcome, i) => {
      if (!outcome.ok && outcome.error.status !== 404) throw outcome.error;
      out[ids[i] ?? ''] = outcome.ok ? map(outcome.body) : null;
    });
    return out;
  }
}

function bulkResult(principalId: string, action: 'add' | 'remove', outcome: BatchOutcome): BulkItemResult {
  if (outcome.ok) return { principalId, outcome: 'changed' };
  const { error } = outcome;
  const unchanged = action === 'add' ? error.isAlreadyExists : error.status === 404;
  return unchanged
    ? { principalId, outcome: 'unchanged' }
    : { principalId, outcome: 'failed', error: error.toJSON() };
}
