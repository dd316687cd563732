/** `/users`, `/users/{id | userPrincipalName}`, `/users/{id}/manager`, and creating a user (`POST /users`). */
import { randomUUID } from 'node:crypto';
import { badRequest, segmentNotFound } from './graph-errors';
import { directoryObjectView, KINDS, userView } from './object-views';
import { parseObjectQuery, parseQuery, project, type QueryOptions, type QuerySpec } from './odata-query';
import {
  byMethod,
  entity,
  found,
  listed,
  type GraphAnswer,
  type GraphCall,
  type GraphContext,
} from './route-helpers';
import type { TenantUser } from './tenant-data';

const USER_SPEC: QuerySpec = {
  type: KINDS.user.type,
  selectable: KINDS.user.properties,
  expandManager: true,
  filterable: {
    resource: 'User',
    properties: new Set([
      'id',
      'userPrincipalName',
      'displayName',
      'mail',
      'accountEnabled',
      'givenName',
      'surname',
      'jobTitle',
      'department',
    ]),
  },
};

export function userRoutes(ctx: GraphContext, call: GraphCall): GraphAnswer {
  const [, key, nav, ...rest] = call.segments;
  if (key === undefined) {
    return byMethod(call, { GET: () => listUsers(ctx, call), POST: () => createUser(ctx, call) });
  }
  if (nav === undefined) return byMethod(call, { GET: () => getUser(ctx, call, key) });
  if (nav === 'manager' && rest.length === 0)
    return byMethod(call, { GET: () => getManager(ctx, call, key) });
  throw segmentNotFound(nav === 'manager' ? (rest[0] ?? nav) : nav);
}

function listUsers(ctx: GraphContext, call: GraphCall): GraphAnswer {
  const options = parseQuery(call.query, USER_SPEC);
  return listed(call, options, {
    items: ctx.store.users(),
    path: 'users',
    view: userView,
    present: (u) => present(ctx, u, options),
  });
}

function getUser(ctx: GraphContext, call: GraphCall, key: string): GraphAnswer {
  const options = parseObjectQuery(call.query, USER_SPEC);
  return entity(call, 'users', present(ctx, found(ctx.store.user(key), key), options));
}

function getManager(ctx: GraphContext, call: GraphCall, key: string): GraphAnswer {
  const options = parseObjectQuery(call.query, USER_SPEC);
  const user = found(ctx.store.user(key), key);
  const manager = found(user.managerId ? ctx.store.user(user.managerId) : undefined, 'manager');
  return entity(
    call,
    'directoryObjects',
    directoryObjectView({ kind: 'user', value: manager }, options.select),
  );
}

/** The user as selected, with `manager` when `$expand=manager` asks for it and there is one. */
function present(ctx: GraphContext, user: TenantUser, options: QueryOptions): Record<string, unknown> {
  const out = project(userView(user), options.select, KINDS.user.defaults);
  const manager = options.expandManager && user.managerId ? ctx.store.user(user.managerId) : undefined;
  if (manager)
    out.manager = directoryObjectView({ kind: 'user', value: manager }, options.expandManager?.select);
  return out;
}

/** Enough of Graph's create-user to make fresh objects (e.g. to exercise replication delay). */
function createUser(ctx: GraphContext, call: GraphCall): GraphAnswer {
  const body = (call.body ?? {}) as Record<string, unknown>;
  const text = (name: string): string => {
    const value = body[name];
    if (typeof value !== 'string' || value === '') {
      throw badRequest(`Invalid value specified for property '${name}' of resource 'User'.`);
    }
    return value;
  };
  const userPrincipalName = text('userPrincipalName');
  const displayName = text('displayName');
  text('mailNickname');
  if (typeof body.accountEnabled !== 'boolean') {
    throw badRequest(`Invalid value specified for property 'accountEnabled' of resource 'User'.`);
  }
  if (ctx.store.user(userPrincipalName)) {
    throw badRequest('Another object with the same value for property userPrincipalName already exists.');
  }
  const optional = (name: string): string | null =>
    typeof body[name] === 'string' ? (body[name] as string) : null;
  const user: TenantUser = {
    id: randomUUID(),
    userPrincipalName,
    displayName,
    givenName: optional('givenName'),
    surname: optional('surname'),
    mail: optional('mail'),
    jobTitle: optional('jobTitle'),
    department: optional('department'),
    officeLocation: optional('officeLocation'),
    accountEnabled: body.accountEnabled,
    managerId: null,
    createdDateTime: ctx.now().toISOString(),
    signInActivity: {
      lastSignInDateTime: null,
      lastNonInteractiveSignInDateTime: null,
      lastSuccessfulSignInDateTime: null,
    },
  };
  ctx.store.change((data) => data.users.push(user));
  return { ...entity(call, 'users', project(userView(user), undefined, KINDS.user.defaults)), status: 201 };
}
