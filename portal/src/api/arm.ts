/**
 * Azure resource roles speak ARM, not Graph (docs/api/azure-roles.md): resources are `{id, name, type, properties}`,
 * lists page through `nextLink` (not `@odata.nextLink`), every call carries `api-version`, and a scope is an ARM id
 * (`/subscriptions/…/resourceGroups/finance-rg`). This is the one place that knows that envelope; pages work with the
 * `properties` and the scope's name as PIM shows it ("finance-rg (Resource group)").
 */
import type { Api } from './client';
import { apiPathOf } from './odata';

/** ARM's PIM API version (roleEligibilitySchedule*, roleAssignmentSchedule*, roleManagementPolic*). */
export const ARM_PIM_VERSION = '2020-10-01';
/** ARM's version of roleDefinitions. */
export const ARM_RBAC_VERSION = '2022-04-01';

/** An ARM resource: `properties` holds what it is. */
export interface ArmResource<P> {
  id: string;
  name: string;
  type: string;
  properties: P;
}

interface ArmPage<T> {
  value: T[];
  nextLink?: string | null;
}

/** What `expandedProperties` says about a scope, a role definition or a principal. */
export interface ArmExpanded {
  id?: string;
  displayName?: string;
  type?: string;
  email?: string;
}

export interface ArmExpandedProperties {
  scope?: ArmExpanded;
  roleDefinition?: ArmExpanded;
  principal?: ArmExpanded;
}

/** A path below /api for an ARM operation: `armPath('/subscriptions/x', 'roleEligibilitySchedules', '?$filter=…')`. */
export function armPath(scope: string, collection: string, query = '', version = ARM_PIM_VERSION): string {
  const base = scope === '/' || scope === '' ? '' : scope.replace(/\/$/, '');
  const sep = query === '' ? '?' : query.startsWith('?') ? `${query}&` : `?${query}&`;
  return `${base}/providers/Microsoft.Authorization/${collection}${sep}api-version=${version}`;
}

/** An ARM resource id as a path below /api, with the api version. */
export function armResourcePath(id: string, version = ARM_PIM_VERSION): string {
  return `${id}?api-version=${version}`;
}

/** Every page of an ARM list, following `nextLink` (capped, as listAll is). */
export async function armListAll<T>(api: Api, path: string, maxPages = 50): Promise<T[]> {
  const all: T[] = [];
  let next: string | undefined = path;
  for (let page = 0; next && page < maxPages; page++) {
    const body: ArmPage<T> = await api.get<ArmPage<T>>(next);
    all.push(...(body.value ?? []));
    next = body.nextLink ? apiPathOf(body.nextLink) : undefined;
  }
  return all;
}

/** A new request name: ARM's schedule requests are PUT under a name the caller picks (a GUID). */
export function newRequestName(): string {
  return crypto.randomUUID();
}

// ---- Scopes --------------------------------------------------------------------------------------------------------

export type AzureScopeKind = 'managementGroup' | 'subscription' | 'resourceGroup' | 'resource';

const KIND_LABELS: Record<AzureScopeKind, string> = {
  managementGroup: 'Management group',
  subscription: 'Subscription',
  resourceGroup: 'Resource group',
  resource: 'Resource',
};

/** Which kind of scope an ARM id is, or undefined when it isn't one. */
export function azureScopeKind(scope: string): AzureScopeKind | undefined {
  const s = scope.trim().replace(/\/$/, '').toLowerCase();
  if (/^\/providers\/microsoft\.management\/managementgroups\/[^/]+$/.test(s)) return 'managementGroup';
  if (/^\/subscriptions\/[^/]+$/.test(s)) return 'subscription';
  if (/^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+$/.test(s)) return 'resourceGroup';
  if (
    /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/[^/]+\/[^/]+\/[^/]+(\/[^/]+\/[^/]+)*$/.test(s)
  )
    return 'resource';
  return undefined;
}

/** "Resource group"… for a scope id. */
export function azureScopeKindLabel(scope: string): string {
  const kind = azureScopeKind(scope);
  return kind ? KIND_LABELS[kind] : 'Scope';
}

/** The last segment of a scope id: the resource group's, resource's or management group's name. */
export function scopeLastName(scope: string): string {
  return scope.replace(/\/$/, '').split('/').pop() ?? scope;
}

/** "finance-rg (Resource group)": the scope as PIM names it, from expandedProperties when the API gave them. */
export function scopeLabel(scope: string, expanded?: ArmExpanded): string {
  return `${expanded?.displayName || scopeLastName(scope)} (${azureScopeKindLabel(scope)})`;
}

/** A role definition's GUID from its full ARM id (`…/roleDefinitions/<guid>`), lower case. */
export function roleDefinitionGuid(id: string): string {
  return (id.split('/').pop() ?? id).toLowerCase();
}

/** The full ARM id of a role definition at a scope (what ARM's request bodies take). */
export function roleDefinitionArmId(scope: string, guid: string): string {
  if (guid.startsWith('/')) return guid;
  // Built-in and custom role definitions are read at a subscription; management groups and the tenant use the
  // unscoped form, as ARM answers it.
  const sub = /^\/subscriptions\/[^/]+/i.exec(scope)?.[0] ?? '';
  return `${sub}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
}
