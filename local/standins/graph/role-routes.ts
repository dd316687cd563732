/**
 * `/roleManagement/directory/roleDefinitions[/{id}]` (the built-in roles) and
 * `/roleManagement/directory/roleAssignments[/{id}]`: create, get, delete and list (`$filter`, `$select`,
 * `$expand=principal,roleDefinition`), with Graph's answers for an unknown role or principal, a group that isn't
 * role-assignable and a duplicate assignment. Only users, role-assignable groups and service principals hold roles.
 */
import { badRequest, invalidObjectId, notFound, segmentNotFound } from './graph-errors';
import { directoryObjectView } from './object-views';
import {
  parseObjectQuery,
  parseQuery,
  project,
  propertyNotFound,
  type QueryOptions,
  type QuerySpec,
} from './odata-query';
import {
  ROLE_DEFINITION_PROPERTIES,
  roleDefinition,
  roleDefinitionView,
  roleDefinitions,
} from './role-definitions';
import {
  byMethod,
  entity,
  found,
  isGuid,
  listed,
  replicated,
  type GraphAnswer,
  type GraphCall,
  type GraphContext,
} from './route-helpers';
import { roleAssignmentId, type TenantRoleAssignment } from './tenant-data';

const DEFINITIONS = 'roleManagement/directory/roleDefinitions';
const ASSIGNMENTS = 'roleManagement/directory/roleAssignments';

const DEFINITION_SPEC: QuerySpec = {
  type: 'microsoft.graph.unifiedRoleDefinition',
  selectable: new Set(ROLE_DEFINITION_PROPERTIES),
  filterable: {
    resource: 'unifiedRoleDefinition',
    properties: new Set(['id', 'displayName', 'isBuiltIn', 'isPrivileged', 'templateId']),
  },
};

/** What Graph returns without `$select`; `appScopeId` only when selected (directory roles have none). */
const ASSIGNMENT_DEFAULTS = ['id', 'principalId', 'resourceScope', 'directoryScopeId', 'roleDefinitionId'];
const ASSIGNMENT_SPEC: QuerySpec = {
  type: 'microsoft.graph.unifiedRoleAssignment',
  selectable: new Set([...ASSIGNMENT_DEFAULTS, 'appScopeId']),
  filterable: {
    resource: 'unifiedRoleAssignment',
    properties: new Set(['id', 'principalId', 'roleDefinitionId', 'directoryScopeId', 'appScopeId']),
  },
};

type Expansion = 'principal' | 'roleDefinition';

export function roleManagementRoutes(ctx: GraphContext, call: GraphCall): GraphAnswer {
  const [root, provider, collection, id, ...rest] = call.segments;
  if (provider !== 'directory') throw segmentNotFound(provider ?? root ?? '');
  if (rest[0] !== undefined) throw segmentNotFound(rest[0]);
  if (collection === 'roleDefinitions') {
    if (id === undefined) return byMethod(call, { GET: () => listDefinitions(call) });
    return byMethod(call, { GET: () => getDefinition(call, id) });
  }
  if (collection === 'roleAssignments') {
    if (id === undefined) {
      return byMethod(call, {
        GET: () => listAssignments(ctx, call),
        POST: () => createAssignment(ctx, call),
      });
    }
    return byMethod(call, {
      GET: () => getAssignment(ctx, call, id),
      DELETE: () => deleteAssignment(ctx, id),
    });
  }
  throw segmentNotFound(collection ?? provider);
}

function listDefinitions(call: GraphCall): GraphAnswer {
  const options = parseQuery(call.query, DEFINITION_SPEC);
  return listed(call, options, {
    items: roleDefinitions(),
    path: DEFINITIONS,
    view: roleDefinitionView,
    present: (r) => project(roleDefinitionView(r), options.select, ROLE_DEFINITION_PROPERTIES),
  });
}

function getDefinition(call: GraphCall, id: string): GraphAnswer {
  const options = parseObjectQuery(call.query, DEFINITION_SPEC);
  const role = found(roleDefinition(id), id);
  return entity(
    call,
    DEFINITIONS,
    project(roleDefinitionView(role), options.select, ROLE_DEFINITION_PROPERTIES),
  );
}

function listAssignments(ctx: GraphContext, call: GraphCall): GraphAnswer {
  const { query, expand } = splitExpand(call.query);
  const options = parseQuery(query, ASSIGNMENT_SPEC);
  return listed(call, options, {
    items: ctx.store.roleAssignments(),
    path: ASSIGNMENTS,
    view: assignmentView,
    present: (a) => present(ctx, a, options, expand),
  });
}

function getAssignment(ctx: GraphContext, call: GraphCall, id: string): GraphAnswer {
  const { query, expand } = splitExpand(call.query);
  const options = parseObjectQuery(query, ASSIGNMENT_SPEC);
  return entity(call, ASSIGNMENTS, present(ctx, findAssignment(ctx, id), options, expand));
}

function deleteAssignment(ctx: GraphContext, id: string): GraphAnswer {
  const assignment = findAssignment(ctx, id);
  ctx.store.change((data) => {
    data.roleAssignments = data.roleAssignments.filter((a) => a !== assignment);
  });
  return { status: 204 };
}

function createAssignment(ctx: GraphContext, call: GraphCall): GraphAnswer {
  const body = (call.body && typeof call.body === 'object' ? call.body : {}) as Record<string, unknown>;
  if (body.appScopeId !== undefined && body.appScopeId !== null) {
    // Directory roles are scoped by directoryScopeId (tenant, administrative unit, application object).
    throw badRequest('The Graph stand-in supports directoryScopeId only: appScopeId is not implemented.');
  }
  const roleDefinitionId = property(body, 'roleDefinitionId');
  const principalId = property(body, 'principalId');
  const scope = property(body, 'directoryScopeId');
  const role = found(
    isGuid(roleDefinitionId) ? roleDefinition(roleDefinitionId) : undefined,
    roleDefinitionId,
  );
  if (!isGuid(principalId)) throw invalidObjectId(principalId);
  const principal = ctx.store.object(principalId);
  if (!principal || !replicated(ctx, principal.value.createdDateTime)) throw notFound(principalId);
  if (principal.kind === 'group' && !principal.value.isAssignableToRole) {
    throw badRequest('Groups without IsAssignableToRole property set cannot be assigned to roles.');
  }
  const directoryScopeId = directoryScope(ctx, scope);
  const same = (a: TenantRoleAssignment): boolean =>
    a.roleDefinitionId === role.id &&
    a.principalId.toLowerCase() === principal.value.id.toLowerCase() &&
    a.directoryScopeId.toLowerCase() === directoryScopeId.toLowerCase();
  if (ctx.store.roleAssignments().some(same)) {
    throw badRequest(
      'A conflicting object with one or more of the specified property values is present in the directory.',
    );
  }
  const assignment: TenantRoleAssignment = {
    id: roleAssignmentId(role.id, principal.value.id, directoryScopeId),
    principalId: principal.value.id,
    roleDefinitionId: role.id,
    directoryScopeId,
  };
  ctx.store.change((data) => data.roleAssignments.push(assignment));
  return { ...entity(call, ASSIGNMENTS, assignmentView(assignment)), status: 201 };
}

/** `/`, or `/administrativeUnits/{id}` of an existing unit (its id as the directory spells it). */
function directoryScope(ctx: GraphContext, scope: string): string {
  if (scope === '/') return scope;
  const unitId = /^\/administrativeUnits\/([^/]+)$/.exec(scope)?.[1];
  if (unitId !== undefined) {
    if (!isGuid(unitId)) throw invalidObjectId(unitId);
    return `/administrativeUnits/${found(ctx.store.administrativeUnit(unitId), unitId).id}`;
  }
  // `/{objectId}` names an application's object in Graph; the stand-in's directory has no applications.
  const objectId = /^\/([^/]+)$/.exec(scope)?.[1];
  if (objectId !== undefined && isGuid(objectId)) throw notFound(objectId);
  throw badRequest(
    `Invalid value specified for property 'directoryScopeId' of resource 'UnifiedRoleAssignment'.`,
  );
}

function property(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (typeof value !== 'string' || value === '') {
    throw badRequest(`Invalid value specified for property '${name}' of resource 'UnifiedRoleAssignment'.`);
  }
  return value;
}

function findAssignment(ctx: GraphContext, id: string): TenantRoleAssignment {
  return found(
    ctx.store.roleAssignments().find((a) => a.id === id),
    id,
  );
}

function assignmentView(a: TenantRoleAssignment): Record<string, unknown> {
  return {
    id: a.id,
    principalId: a.principalId,
    resourceScope: a.directoryScopeId,
    directoryScopeId: a.directoryScopeId,
    roleDefinitionId: a.roleDefinitionId,
    appScopeId: null,
  };
}

function present(
  ctx: GraphContext,
  a: TenantRoleAssignment,
  options: QueryOptions,
  expand: ReadonlySet<Expansion>,
): Record<string, unknown> {
  const out = project(assignmentView(a), options.select, ASSIGNMENT_DEFAULTS);
  const principal = expand.has('principal') ? ctx.store.object(a.principalId) : undefined;
  if (principal) out.principal = directoryObjectView(principal, undefined);
  const role = expand.has('roleDefinition') ? roleDefinition(a.roleDefinitionId) : undefined;
  if (role) out.roleDefinition = roleDefinitionView(role);
  return out;
}

/** `$expand` of an assignment's `principal` and `roleDefinition`, taken out of the query the common parser reads. */
function splitExpand(query: URLSearchParams): { query: URLSearchParams; expand: Set<Expansion> } {
  const rest = new URLSearchParams(query);
  const raw = rest.get('$expand');
  rest.delete('$expand');
  const expand = new Set<Expansion>();
  for (const name of (raw ?? '').split(',').map((s) => s.trim())) {
    if (name === '') continue;
    if (name !== 'principal' && name !== 'roleDefinition') {
      throw propertyNotFound(name.split('(')[0] ?? name, ASSIGNMENT_SPEC.type);
    }
    expand.add(name);
  }
  return { query: rest, expand };
}
