/**
 * ARM's reads of scopes the app needs: subscriptions (get, list), resource groups (get, list), resources (get by
 * id, list in a resource group or subscription), resource providers (their types' api-versions), management
 * groups (get, with `$expand=children` and `$recurse`, list) and `getEntities` (each with `parentNameChain`).
 */
import { API_VERSIONS, checkApiVersion, resourceTypeApiVersions } from './api-versions';
import { methodNotAllowed, noRoute, notFound } from './arm-errors';
import {
  managementGroupAncestors,
  managementGroupId,
  resolveScope,
  resourceGroupScope,
  resourceScope,
  sameId,
  subscriptionScope,
} from './arm-scopes';
import type { ArmManagementGroup, ArmResource, ArmState, ArmSubscription } from './arm-tenant';
import type { ArmAnswer } from './role-assignments';

const MG_TYPE = 'Microsoft.Management/managementGroups';

export function handleScopeRead(
  state: ArmState,
  method: string,
  segments: string[],
  query: URLSearchParams,
): ArmAnswer {
  const s = segments.map((x) => x.toLowerCase());
  const get = (answer: () => unknown): ArmAnswer => {
    if (method !== 'GET') throw methodNotAllowed(method);
    return { status: 200, body: answer() };
  };
  if (s[0] === 'providers' && s[1] === 'microsoft.management') {
    checkApiVersion(query, API_VERSIONS.managementGroups, MG_TYPE);
    if (s[2] === 'getentities' && s.length === 3) {
      if (method !== 'POST') throw methodNotAllowed(method);
      return { status: 200, body: entities(state) };
    }
    if (s[2] === 'managementgroups' && s.length === 3) {
      return get(() => ({ value: state.managementGroups.map((g) => managementGroupInfo(state, g)) }));
    }
    if (s[2] === 'managementgroups' && s.length === 4) {
      const scope = resolveScope(state, segments);
      const group = scope.managementGroup as ArmManagementGroup;
      const expand = (query.get('$expand') ?? '').toLowerCase() === 'children';
      const recurse = (query.get('$recurse') ?? '').toLowerCase() === 'true';
      return get(() => managementGroup(state, group, expand, recurse));
    }
    throw noRoute(`/${segments.join('/')}`);
  }
  if (s[0] !== 'subscriptions') throw noRoute(`/${segments.join('/')}`);
  if (s.length === 1) {
    checkApiVersion(query, API_VERSIONS.subscriptions, 'subscriptions');
    return get(() => ({ value: state.subscriptions.map((sub) => subscription(state, sub)) }));
  }
  const sub = state.subscriptions.find((x) => sameId(x.subscriptionId, segments[1] ?? ''));
  if (s.length === 2) {
    checkApiVersion(query, API_VERSIONS.subscriptions, 'subscriptions');
    resolveScope(state, segments);
    return get(() => subscription(state, sub as ArmSubscription));
  }
  if (s[2] === 'providers' && s.length === 4) {
    checkApiVersion(query, API_VERSIONS.resources, 'providers');
    resolveScope(state, segments.slice(0, 2));
    return get(() => provider(state, segments[3] ?? ''));
  }
  if (s[2] === 'resources' && s.length === 3) {
    checkApiVersion(query, API_VERSIONS.resources, 'resources');
    resolveScope(state, segments.slice(0, 2));
    return get(() => ({
      value: state.resources.filter((r) => sameId(r.subscriptionId, segments[1] ?? '')).map(resource),
    }));
  }
  if (s[2] !== 'resourcegroups') throw noRoute(`/${segments.join('/')}`);
  if (s.length === 3) {
    checkApiVersion(query, API_VERSIONS.resources, 'resourceGroups');
    resolveScope(state, segments.slice(0, 2));
    return get(() => ({
      value: state.resourceGroups
        .filter((g) => sameId(g.subscriptionId, segments[1] ?? ''))
        .map((g) => resourceGroup(g.subscriptionId, g.name, g.location)),
    }));
  }
  if (s.length === 4) {
    checkApiVersion(query, API_VERSIONS.resources, 'resourceGroups');
    const scope = resolveScope(state, segments);
    const rg = state.resourceGroups.find((g) =>
      sameId(resourceGroupScope(g.subscriptionId, g.name), scope.id),
    );
    return get(() => resourceGroup(rg?.subscriptionId ?? '', rg?.name ?? '', rg?.location ?? ''));
  }
  if (s[4] === 'resources' && s.length === 5) {
    checkApiVersion(query, API_VERSIONS.resources, 'resources');
    const scope = resolveScope(state, segments.slice(0, 4));
    return get(() => ({
      value: state.resources
        .filter((r) => sameId(resourceGroupScope(r.subscriptionId, r.resourceGroup), scope.id))
        .map(resource),
    }));
  }
  if (s[4] === 'providers' && s.length >= 8) {
    const type = `${segments[5] ?? ''}/${segments[6] ?? ''}`;
    checkApiVersion(query, resourceTypeApiVersions(type), type);
    const scope = resolveScope(state, segments);
    return get(() => resource(scope.resource as ArmResource));
  }
  throw noRoute(`/${segments.join('/')}`);
}

function subscription(state: ArmState, sub: ArmSubscription): Record<string, unknown> {
  return {
    id: subscriptionScope(sub.subscriptionId),
    authorizationSource: 'RoleBased',
    managedByTenants: [],
    subscriptionId: sub.subscriptionId,
    tenantId: state.tenantId,
    displayName: sub.displayName,
    state: sub.state,
    subscriptionPolicies: {
      locationPlacementId: 'Public_2014-09-01',
      quotaId: 'PayAsYouGo_2014-09-01',
      spendingLimit: 'Off',
    },
  };
}

function resourceGroup(subscriptionId: string, name: string, location: string): Record<string, unknown> {
  return {
    id: resourceGroupScope(subscriptionId, name),
    name,
    type: 'Microsoft.Resources/resourceGroups',
    location,
    properties: { provisioningState: 'Succeeded' },
  };
}

function resource(r: ArmResource): Record<string, unknown> {
  return {
    id: resourceScope(r),
    name: r.name,
    type: r.type,
    location: r.location,
    ...(r.kind ? { kind: r.kind } : {}),
    tags: {},
    properties: {},
  };
}

function provider(state: ArmState, namespace: string): Record<string, unknown> {
  const types = state.resources.filter((r) => sameId(r.type.split('/')[0] ?? '', namespace));
  if (types.length === 0) {
    throw notFound('InvalidResourceNamespace', `The resource namespace '${namespace}' is invalid.`);
  }
  const canonical = types[0]?.type.split('/')[0] ?? namespace;
  const names = [...new Set(types.map((r) => r.type.split('/').slice(1).join('/')))];
  return {
    id: `/subscriptions/${types[0]?.subscriptionId ?? ''}/providers/${canonical}`,
    namespace: canonical,
    registrationState: 'Registered',
    registrationPolicy: 'RegistrationRequired',
    resourceTypes: names.map((t) => ({
      resourceType: t,
      locations: [...new Set(types.map((r) => r.location))],
      apiVersions: [...resourceTypeApiVersions(`${canonical}/${t}`)],
    })),
  };
}

function managementGroupInfo(state: ArmState, g: ArmManagementGroup): Record<string, unknown> {
  return {
    id: managementGroupId(g.name),
    type: MG_TYPE,
    name: g.name,
    properties: { tenantId: state.tenantId, displayName: g.displayName },
  };
}

function children(state: ArmState, g: ArmManagementGroup, recurse: boolean): Record<string, unknown>[] {
  const groups = state.managementGroups
    .filter((c) => c.parent !== null && sameId(c.parent, g.name))
    .map((c) => ({
      type: MG_TYPE,
      id: managementGroupId(c.name),
      name: c.name,
      displayName: c.displayName,
      ...(recurse ? { children: children(state, c, true) } : {}),
    }));
  const subscriptions = state.subscriptions
    .filter((sub) => sameId(sub.managementGroup, g.name))
    .map((sub) => ({
      type: '/subscriptions',
      id: subscriptionScope(sub.subscriptionId),
      name: sub.subscriptionId,
      displayName: sub.displayName,
    }));
  return [...groups, ...subscriptions];
}

function managementGroup(
  state: ArmState,
  g: ArmManagementGroup,
  expand: boolean,
  recurse: boolean,
): Record<string, unknown> {
  const parent = g.parent ? state.managementGroups.find((p) => sameId(p.name, g.parent ?? '')) : undefined;
  return {
    id: managementGroupId(g.name),
    type: MG_TYPE,
    name: g.name,
    properties: {
      tenantId: state.tenantId,
      displayName: g.displayName,
      details: {
        version: 1,
        updatedTime: '2026-01-01T00:00:00Z',
        updatedBy: state.tenantId,
        parent: parent
          ? { id: managementGroupId(parent.name), name: parent.name, displayName: parent.displayName }
          : null,
      },
      ...(expand ? { children: children(state, g, recurse) } : {}),
    },
  };
}

/** Every management group and subscription, each with its parents root first (as `getEntities` gives them). */
function entities(state: ArmState): Record<string, unknown> {
  const chain = (groupName: string) => {
    const group = state.managementGroups.find((g) => sameId(g.name, groupName));
    return group ? [...managementGroupAncestors(state, group.name).reverse(), group] : [];
  };
  const entity = (
    id: string,
    type: string,
    name: string,
    displayName: string,
    parents: ArmManagementGroup[],
  ) => ({
    id,
    type,
    name,
    properties: {
      tenantId: state.tenantId,
      displayName,
      parent: parents.length > 0 ? { id: managementGroupId(parents[parents.length - 1]?.name ?? '') } : null,
      permissions: 'view',
      inheritedPermissions: 'view',
      parentDisplayNameChain: parents.map((p) => p.displayName),
      parentNameChain: parents.map((p) => p.name),
    },
  });
  const value = [
    ...state.managementGroups.map((g) =>
      entity(managementGroupId(g.name), MG_TYPE, g.name, g.displayName, g.parent ? chain(g.parent) : []),
    ),
    ...state.subscriptions.map((sub) =>
      entity(
        subscriptionScope(sub.subscriptionId),
        '/subscriptions',
        sub.subscriptionId,
        sub.displayName,
        chain(sub.managementGroup),
      ),
    ),
  ];
  return { value, count: value.length, nextLink: null };
}
