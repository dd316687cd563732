/**
 * Entra directory roles over Microsoft Graph v1.0: role definitions, role assignments (idempotent add and remove)
 * and administrative units, the scopes a role can be narrowed to.
 */
import type * as Graph from '@microsoft/microsoft-graph-types';
import type { DirectoryRoleAssignment, DirectoryRoleDefinition, MembershipChange } from './directory';
import type { GraphApi } from './graph-api';
import { GraphError } from './graph-error';
import { toRoleAssignment, toRoleDefinition, UNIT_SELECT } from './graph-mapping';

export interface RoleAssignmentFilter {
  roleDefinitionId?: string;
  principalId?: string;
  directoryScopeId?: string;
}

const seg = encodeURIComponent;

export class GraphRoles {
  constructor(private readonly api: GraphApi) {}

  // No $select: all of a definition's properties, so a property newer than the tenant's Graph can't fail the call.
  async listDefinitions(): Promise<DirectoryRoleDefinition[]> {
    const roles = await this.api.listAll<Graph.UnifiedRoleDefinition>(
      '/roleManagement/directory/roleDefinitions',
    );
    return roles.map(toRoleDefinition);
  }

  async getDefinition(id: string): Promise<DirectoryRoleDefinition | null> {
    const role = await this.api.find<Graph.UnifiedRoleDefinition>(
      `/roleManagement/directory/roleDefinitions/${seg(id)}`,
    );
    return role && toRoleDefinition(role);
  }

  async listAssignments(filter: RoleAssignmentFilter): Promise<DirectoryRoleAssignment[]> {
    const clauses = Object.entries(filter)
      .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
      .map(([property, value]) => `${property} eq ${literal(value)}`);
    // The Graph client sends the query as written: encode it here.
    const query = clauses.length > 0 ? `?$filter=${encodeURIComponent(clauses.join(' and '))}` : '';
    const assignments = await this.api.listAll<Graph.UnifiedRoleAssignment>(
      `/roleManagement/directory/roleAssignments${query}`,
    );
    return assignments.map(toRoleAssignment);
  }

  async add(
    roleDefinitionId: string,
    principalId: string,
    directoryScopeId: string,
  ): Promise<MembershipChange> {
    try {
      // 404 may be a principal created moments ago that Graph doesn't see yet: retried as for group references.
      await this.api.post(
        '/roleManagement/directory/roleAssignments',
        {
          '@odata.type': '#microsoft.graph.unifiedRoleAssignment',
          roleDefinitionId,
          principalId,
          directoryScopeId,
        },
        { retryNotFound: true },
      );
      return 'changed';
    } catch (err) {
      if (err instanceof GraphError && err.isConflictingObject) return 'unchanged';
      throw err;
    }
  }

  /** Graph deletes assignments by id: find the principal's at that scope, then delete each (gone already: fine). */
  async remove(
    roleDefinitionId: string,
    principalId: string,
    directoryScopeId: string,
  ): Promise<MembershipChange> {
    const held = await this.listAssignments({ roleDefinitionId, principalId, directoryScopeId });
    let change: MembershipChange = 'unchanged';
    for (const assignment of held) {
      try {
        await this.api.delete(`/roleManagement/directory/roleAssignments/${seg(assignment.id)}`);
        change = 'changed';
      } catch (err) {
        if (!(err instanceof GraphError && err.status === 404)) throw err;
      }
    }
    return change;
  }

  async getAdministrativeUnit(id: string): Promise<{ id: string; displayName: string } | null> {
    const unit = await this.api.find<Graph.AdministrativeUnit>(
      `/directory/administrativeUnits/${seg(id)}?$select=${UNIT_SELECT}`,
    );
    return unit && { id: unit.id ?? id, displayName: unit.displayName ?? '' };
  }
}

/** An OData string literal: quoted, a quote inside doubled. */
function literal(value: string): string {
  return `'${value.split("'").join("''")}'`;
}
