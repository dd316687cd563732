/**
 * Microsoft.Authorization roleAssignments and roleDefinitions (api-version 2022-04-01 shapes) at any scope, with
 * ARM's inheritance (management group → subscriptions and child groups → resource groups → resources), its list
 * filters (`atScope()`, `principalId eq`, `assignedTo()`, joined with `and`), nextLink paging and its errors.
 */
import { ArmHttpError, badRequest, methodNotAllowed, notFound } from './arm-errors';
import { atOrAbove, resolveScope, sameId, type ResolvedScope } from './arm-scopes';
import type { ArmRoleAssignment, ArmRoleDefinition, ArmState, ArmTenantStore } from './arm-tenant';

export interface ArmPrincipal {
  principalType: 'User' | 'Group' | 'ServicePrincipal';
  /** ISO time the principal was created in the directory. */
  createdDateTime: string;
}

export interface ArmContext {
  store: ArmTenantStore;
  now: () => Date;
  tenantId: string;
  /** The directory's principal by object id (the Graph stand-in's), or undefined. */
  principal: (id: string) => ArmPrincipal | undefined;
  /** The groups a principal is a member of, directly or through nested groups. */
  memberOf: (id: string) => string[];
  /** Principals younger than this are not found yet, as ARM answers before Entra ID has replicated them. */
  principalReplicationMs: number;
  /** Real time in ms (`performance`, which a test's virtual clock leaves alone), for the replication delay. */
  realNowMs: () => number;
  /** When (real ms) each young principal was first asked about, less its age then (see principalVisible). */
  youngPrincipals: Map<string, number>;
  pageSize: number;
}

export interface ArmCall {
  method: string;
  /** The scope's path segments (before `/providers/Microsoft.Authorization/...`). */
  scopeSegments: string[];
  /** `roleAssignments` or `roleDefinitions`, and the item's name if one is named. */
  collection: 'roleassignments' | 'roledefinitions';
  name?: string;
  query: URLSearchParams;
  body: unknown;
  /** The request's URL, for nextLink. */
  url: URL;
  /** The caller's object id (the token's `oid`). */
  caller: string;
}

export interface ArmAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const ROLE_ASSIGNMENT_TYPE = 'Microsoft.Authorization/roleAssignments';
const ROLE_DEFINITION_TYPE = 'Microsoft.Authorization/roleDefinitions';
/** Roles whose holders may write role assignments: Owner, User Access Administrator, RBAC Administrator. */
const ASSIGNMENT_WRITERS = [
  '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
  'f58310d9-a9f6-439a-9e8d-f62e7b41a168',
];
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function handleAuthorizationCall(ctx: ArmContext, call: ArmCall): ArmAnswer {
  const state = ctx.store.data;
  const scope = resolveScope(state, call.scopeSegments);
  if (call.collection === 'roledefinitions') return roleDefinitions(state, scope, call);
  if (call.name === undefined) {
    if (call.method !== 'GET') throw methodNotAllowed(call.method);
    return listAssignments(ctx, scope, call);
  }
  const name = call.name;
  if (call.method === 'GET') {
    const found = findByName(state, scope, name);
    if (!found) throw assignmentNotFound(name);
    return { status: 200, body: present(found) };
  }
  if (call.method === 'PUT') return createAssignment(ctx, scope, name, call);
  if (call.method === 'DELETE') {
    requireWriter(ctx, scope, call.caller, 'delete');
    const found = findByName(state, scope, name);
    if (!found) return { status: 204 };
    void ctx.store.change((data) => {
      data.roleAssignments = data.roleAssignments.filter((a) => a !== found);
    });
    return { status: 200, body: present(found) };
  }
  throw methodNotAllowed(call.method);
}

function findByName(state: ArmState, scope: ResolvedScope, name: string): ArmRoleAssignment | undefined {
  return state.roleAssignments.find((a) => sameId(a.name, name) && sameId(a.scope, scope.id));
}

const assignmentNotFound = (name: string) =>
  notFound('RoleAssignmentNotFound', `The role assignment '${name}' is not found.`);

/** The role definition's id as ARM shows it under a scope: below a subscription, the subscription's form. */
export function roleDefinitionIdAt(scope: ResolvedScope, guid: string): string {
  const base = scope.subscriptionId ? `/subscriptions/${scope.subscriptionId}` : '';
  return `${base}/providers/${ROLE_DEFINITION_TYPE}/${guid}`;
}

export function presentRoleDefinition(scope: ResolvedScope, d: ArmRoleDefinition): Record<string, unknown> {
  return {
    id: roleDefinitionIdAt(scope, d.name),
    name: d.name,
    type: ROLE_DEFINITION_TYPE,
    properties: {
      roleName: d.roleName,
      type: d.roleType,
      description: d.description,
      assignableScopes: ['/'],
      permissions: d.permissions,
      createdOn: '2015-02-02T21:55:09.8806423Z',
      updatedOn: '2024-01-01T00:00:00.0000000Z',
      createdBy: null,
      updatedBy: null,
    },
  };
}

function roleDefinitions(state: ArmState, scope: ResolvedScope, call: ArmCall): ArmAnswer {
  if (call.method !== 'GET') throw methodNotAllowed(call.method);
  if (call.name !== undefined) {
    const d = state.roleDefinitions.find((r) => sameId(r.name, call.name ?? ''));
    if (!d) throw roleDefinitionMissing(call.name);
    return { status: 200, body: presentRoleDefinition(scope, d) };
  }
  const filter = call.query.get('$filter');
  let items = state.roleDefinitions;
  if (filter) {
    const byName = /^\s*roleName\s+eq\s+'([^']*)'\s*$/i.exec(filter);
    const byType = /^\s*type\s+eq\s+'([^']*)'\s*$/i.exec(filter);
    if (byName) items = items.filter((d) => d.roleName.toLowerCase() === (byName[1] ?? '').toLowerCase());
    else if (byType)
      items = items.filter((d) => d.roleType.toLowerCase() === (byType[1] ?? '').toLowerCase());
    else throw badRequest('InvalidFilter', `The filter '${filter}' is not supported.`);
  }
  return { status: 200, body: { value: items.map((d) => presentRoleDefinition(scope, d)) } };
}

const roleDefinitionMissing = (id: string) =>
  notFound('RoleDefinitionDoesNotExist', `The specified role definition with ID '${id}' does not exist.`);

/** Each assignment with the scope it is made at, resolved (ancestors known); those whose scope is gone left out. */
function resolvedAssignments(state: ArmState): { a: ArmRoleAssignment; at: ResolvedScope }[] {
  return state.roleAssignments.flatMap((a) => {
    try {
      return [{ a, at: resolveScope(state, segmentsOf(a.scope)) }];
    } catch {
      return [];
    }
  });
}

export function segmentsOf(scope: string): string[] {
  return scope.split('/').filter(Boolean);
}

interface AssignmentFilter {
  atScope: boolean;
  principalIds?: Set<string>;
}

function parseFilter(ctx: ArmContext, filter: string | null): AssignmentFilter {
  const result: AssignmentFilter = { atScope: false };
  if (!filter) return result;
  for (const term of filter.split(/\s+and\s+/i).map((t) => t.trim())) {
    const principal = /^principalId\s+eq\s+'([^']*)'$/i.exec(term);
    const assignedTo = /^assignedTo\('([^']*)'\)$/i.exec(term);
    if (/^atScope\(\)$/i.test(term)) result.atScope = true;
    else if (principal) result.principalIds = new Set([(principal[1] ?? '').toLowerCase()]);
    else if (assignedTo) {
      const id = (assignedTo[1] ?? '').toLowerCase();
      result.principalIds = new Set([id, ...ctx.memberOf(id).map((g) => g.toLowerCase())]);
    } else {
      throw badRequest(
        'UnsupportedQuery',
        `The filter '${filter}' is not supported. Supported filters are: atScope(), principalId eq '{value}', assignedTo('{value}').`,
      );
    }
  }
  return result;
}

function listAssignments(ctx: ArmContext, scope: ResolvedScope, call: ArmCall): ArmAnswer {
  const filter = parseFilter(ctx, call.query.get('$filter'));
  const items = resolvedAssignments(ctx.store.data)
    .filter(({ a, at }) => {
      if (filter.principalIds && !filter.principalIds.has(a.principalId.toLowerCase())) return false;
      const inherited = atOrAbove(a.scope, scope);
      const below = !inherited && atOrAbove(scope.id, at) && scope.kind !== 'tenant';
      return inherited || (!filter.atScope && (below || scope.kind === 'tenant'));
    })
    .map(({ a }) => a);
  const skip = Number(call.query.get('$skipToken') ?? '0') || 0;
  const pageItems = items.slice(skip, skip + ctx.pageSize);
  let nextLink: string | null = null;
  if (skip + ctx.pageSize < items.length) {
    const next = new URL(call.url);
    next.searchParams.set('$skipToken', String(skip + ctx.pageSize));
    nextLink = next.href;
  }
  return { status: 200, body: { value: pageItems.map(present), nextLink } };
}

export function present(a: ArmRoleAssignment): Record<string, unknown> {
  const subscription = /^\/subscriptions\/([^/]+)/i.exec(a.scope)?.[1];
  return {
    id: `${a.scope}/providers/${ROLE_ASSIGNMENT_TYPE}/${a.name}`,
    name: a.name,
    type: ROLE_ASSIGNMENT_TYPE,
    properties: {
      roleDefinitionId: `${subscription ? `/subscriptions/${subscription}` : ''}/providers/${ROLE_DEFINITION_TYPE}/${a.roleDefinitionId}`,
      principalId: a.principalId,
      principalType: a.principalType,
      scope: a.scope,
      condition: a.condition,
      conditionVersion: a.conditionVersion,
      createdOn: a.createdOn,
      updatedOn: a.updatedOn,
      createdBy: a.createdBy,
      updatedBy: a.updatedBy,
      delegatedManagedIdentityResourceId: null,
      description: a.description,
    },
  };
}

/**
 * Whether ARM sees a principal yet: `principalReplicationMs` of real time after it was created. The directory
 * dates it by its own clock, which a test's virtual clock may hold still; so a principal younger than the delay
 * by that clock is timed in real time from when it was first asked about, less its age then (with the real
 * clock: from its creation exactly).
 */
function principalVisible(ctx: ArmContext, id: string, principal: ArmPrincipal): boolean {
  const age = ctx.now().getTime() - Date.parse(principal.createdDateTime);
  if (age >= ctx.principalReplicationMs) return true;
  const key = id.toLowerCase();
  const born = ctx.youngPrincipals.get(key) ?? ctx.realNowMs() - Math.max(age, 0);
  ctx.youngPrincipals.set(key, born);
  return ctx.realNowMs() - born >= ctx.principalReplicationMs;
}

/** 403 unless the caller (or a group it is in) holds a role that writes role assignments at or above `scope`. */
function requireWriter(
  ctx: ArmContext,
  scope: ResolvedScope,
  caller: string,
  verb: 'write' | 'delete',
): void {
  const principals = new Set([caller, ...ctx.memberOf(caller)].map((p) => p.toLowerCase()));
  const allowed = ctx.store.data.roleAssignments.some(
    (a) =>
      principals.has(a.principalId.toLowerCase()) &&
      ASSIGNMENT_WRITERS.includes(a.roleDefinitionId.toLowerCase()) &&
      atOrAbove(a.scope, scope),
  );
  if (!allowed) {
    const where = scope.id || '/';
    throw new ArmHttpError(
      403,
      'AuthorizationFailed',
      `The client '${caller}' with object id '${caller}' does not have authorization to perform action 'Microsoft.Authorization/roleAssignments/${verb}' over scope '${where}/providers/Microsoft.Authorization/roleAssignments' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    );
  }
}

interface PutBody {
  roleDefinitionId?: unknown;
  principalId?: unknown;
  principalType?: unknown;
  description?: unknown;
  condition?: unknown;
  conditionVersion?: unknown;
}

function createAssignment(ctx: ArmContext, scope: ResolvedScope, name: string, call: ArmCall): ArmAnswer {
  if (scope.kind === 'tenant') {
    throw badRequest('InvalidScope', "The scope '/' is not valid for role assignments in the ARM stand-in.");
  }
  if (!GUID.test(name)) {
    throw badRequest(
      'InvalidRoleAssignmentId',
      `The role assignment ID '${name}' is not valid. The role assignment ID must be a GUID.`,
    );
  }
  requireWriter(ctx, scope, call.caller, 'write');
  const props = ((call.body as { properties?: PutBody } | undefined)?.properties ?? {}) as PutBody;
  const principalId = typeof props.principalId === 'string' ? props.principalId : '';
  if (!GUID.test(principalId)) {
    throw badRequest('InvalidPrincipalId', 'A valid principal ID must be provided for role assignment.');
  }
  const definitionRef = typeof props.roleDefinitionId === 'string' ? props.roleDefinitionId : '';
  const definitionGuid = /\/providers\/Microsoft\.Authorization\/roleDefinitions\/([^/]+)$/i.exec(
    definitionRef,
  )?.[1];
  const definition = ctx.store.data.roleDefinitions.find((d) => sameId(d.name, definitionGuid ?? ''));
  if (!definition) throw roleDefinitionMissing(definitionGuid ?? definitionRef);
  const principal = ctx.principal(principalId);
  if (!principal || !principalVisible(ctx, principalId, principal)) {
    throw badRequest(
      'PrincipalNotFound',
      `Principal ${principalId.replace(/-/g, '')} does not exist in the directory ${ctx.tenantId}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype`,
    );
  }
  const principalType =
    typeof props.principalType === 'string' ? props.principalType : principal.principalType;
  if (principalType !== principal.principalType) {
    throw badRequest(
      'UnmatchedPrincipalType',
      `The PrincipalId '${principalId.replace(/-/g, '')}' has type '${principal.principalType}' , which is different from specified PrincipalType '${principalType}'.`,
    );
  }
  const state = ctx.store.data;
  const existing = state.roleAssignments.find(
    (a) =>
      sameId(a.scope, scope.id) &&
      sameId(a.principalId, principalId) &&
      sameId(a.roleDefinitionId, definition.name),
  );
  if (existing) throw new ArmHttpError(409, 'RoleAssignmentExists', 'The role assignment already exists.');
  if (findByName(state, scope, name) || state.roleAssignments.some((a) => sameId(a.name, name))) {
    throw new ArmHttpError(
      409,
      'RoleAssignmentUpdateNotPermitted',
      'Tenant ID, application ID, principal ID, and scope are not allowed to be updated.',
    );
  }
  const at = ctx.now().toISOString();
  const assignment: ArmRoleAssignment = {
    name: name.toLowerCase(),
    scope: scope.id,
    roleDefinitionId: definition.name,
    principalId: principalId.toLowerCase(),
    principalType: principal.principalType,
    description: typeof props.description === 'string' ? props.description : null,
    condition: typeof props.condition === 'string' ? props.condition : null,
    conditionVersion: typeof props.conditionVersion === 'string' ? props.conditionVersion : null,
    createdOn: at,
    updatedOn: at,
    createdBy: call.caller,
    updatedBy: call.caller,
  };
  void ctx.store.change((data) => {
    data.roleAssignments.push(assignment);
  });
  return { status: 201, body: present(assignment) };
}
