/**
 * ARM scopes in the stand-in's tenant: which management group, subscription, resource group or resource a path
 * names, its canonical spelling, and the scopes above it (where role assignments are inherited from).
 */
import type { ArmManagementGroup, ArmResource, ArmState } from './arm-tenant';
import { ArmHttpError, badRequest, notFound } from './arm-errors';

export type ArmScopeKind = 'tenant' | 'managementGroup' | 'subscription' | 'resourceGroup' | 'resource';

export interface ResolvedScope {
  kind: ArmScopeKind;
  /** ARM's spelling: `/subscriptions/{id}/resourceGroups/finance-rg`; '' for the tenant ('/'). */
  id: string;
  /** Every scope above it, nearest first, up to the tenant root management group. */
  ancestors: string[];
  subscriptionId?: string;
  managementGroup?: ArmManagementGroup;
  resource?: ArmResource;
}

const eq = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export const managementGroupId = (name: string) => `/providers/Microsoft.Management/managementGroups/${name}`;
export const subscriptionScope = (id: string) => `/subscriptions/${id}`;
export const resourceGroupScope = (sub: string, rg: string) => `/subscriptions/${sub}/resourceGroups/${rg}`;
export const resourceScope = (r: ArmResource) =>
  `${resourceGroupScope(r.subscriptionId, r.resourceGroup)}/providers/${r.type}/${r.name}`;

/** A management group's chain of parents, nearest first (ids). */
export function managementGroupAncestors(state: ArmState, name: string): ArmManagementGroup[] {
  const chain: ArmManagementGroup[] = [];
  let parent = state.managementGroups.find((g) => eq(g.name, name))?.parent ?? null;
  while (parent !== null && chain.length < 10) {
    const group = state.managementGroups.find((g) => eq(g.name, parent ?? ''));
    if (!group) break;
    chain.push(group);
    parent = group.parent;
  }
  return chain;
}

function subscriptionAncestors(state: ArmState, subscriptionId: string): string[] {
  const sub = state.subscriptions.find((s) => eq(s.subscriptionId, subscriptionId));
  if (!sub) return [];
  const group = state.managementGroups.find((g) => eq(g.name, sub.managementGroup));
  if (!group) return [];
  return [group, ...managementGroupAncestors(state, group.name)].map((g) => managementGroupId(g.name));
}

/**
 * The scope `segments` (a path's decoded segments) name, which must exist: ARM's 404 for an unknown
 * subscription, resource group or resource, a 400 for a path that is no scope.
 */
export function resolveScope(state: ArmState, segments: string[]): ResolvedScope {
  const [first, ...rest] = segments;
  if (first === undefined) return { kind: 'tenant', id: '', ancestors: [] };
  if (eq(first, 'providers') && rest.length === 3 && eq(rest[0] ?? '', 'Microsoft.Management')) {
    if (!eq(rest[1] ?? '', 'managementGroups')) throw invalidScope(segments);
    const group = state.managementGroups.find((g) => eq(g.name, rest[2] ?? ''));
    if (!group) {
      throw notFound(
        'ManagementGroupNotFound',
        `The management group '${rest[2] ?? ''}' could not be found.`,
      );
    }
    return {
      kind: 'managementGroup',
      id: managementGroupId(group.name),
      ancestors: managementGroupAncestors(state, group.name).map((g) => managementGroupId(g.name)),
      managementGroup: group,
    };
  }
  if (!eq(first, 'subscriptions') || rest.length === 0) throw invalidScope(segments);
  const sub = state.subscriptions.find((s) => eq(s.subscriptionId, rest[0] ?? ''));
  if (!sub) throw notFound('SubscriptionNotFound', `The subscription '${rest[0] ?? ''}' could not be found.`);
  const subId = subscriptionScope(sub.subscriptionId);
  const subAncestors = subscriptionAncestors(state, sub.subscriptionId);
  if (rest.length === 1) {
    return { kind: 'subscription', id: subId, ancestors: subAncestors, subscriptionId: sub.subscriptionId };
  }
  if (!eq(rest[1] ?? '', 'resourceGroups') || rest.length < 3) throw invalidScope(segments);
  const rgName = rest[2] ?? '';
  const rg = state.resourceGroups.find((g) => eq(g.subscriptionId, sub.subscriptionId) && eq(g.name, rgName));
  if (!rg) throw notFound('ResourceGroupNotFound', `Resource group '${rgName}' could not be found.`);
  const rgId = resourceGroupScope(sub.subscriptionId, rg.name);
  if (rest.length === 3) {
    return {
      kind: 'resourceGroup',
      id: rgId,
      ancestors: [subId, ...subAncestors],
      subscriptionId: sub.subscriptionId,
    };
  }
  // {rg}/providers/{Namespace}/{type}/{name}: the stand-in's resources are all top level.
  const [providers, namespace, type, name, ...nested] = rest.slice(3);
  if (!providers || !eq(providers, 'providers') || !namespace || !type || !name || nested.length % 2 !== 0) {
    throw invalidScope(segments);
  }
  const resource = state.resources.find(
    (r) =>
      eq(r.subscriptionId, sub.subscriptionId) &&
      eq(r.resourceGroup, rg.name) &&
      eq(r.type, `${namespace}/${type}`) &&
      eq(r.name, name),
  );
  if (!resource || nested.length > 0) {
    throw notFound(
      'ResourceNotFound',
      `The Resource '${[namespace, type, name, ...nested].join('/')}' under resource group '${rg.name}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
    );
  }
  return {
    kind: 'resource',
    id: resourceScope(resource),
    ancestors: [rgId, subId, ...subAncestors],
    subscriptionId: sub.subscriptionId,
    resource,
  };
}

function invalidScope(segments: string[]): ArmHttpError {
  return badRequest(
    'InvalidScope',
    `The scope '/${segments.join('/')}' is not valid: a scope is a management group, subscription, resource group or resource.`,
  );
}

/** Whether `scope` is `at` or one of `ancestors` (case-insensitively, as ARM compares ids). */
export function atOrAbove(scope: string, target: { id: string; ancestors: string[] }): boolean {
  return eq(scope, target.id) || target.ancestors.some((a) => eq(a, scope));
}

export { eq as sameId };
