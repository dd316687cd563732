/**
 * What pimflow governs access to: a *resource* (a group, the directory at a scope, or an Azure Resource Manager
 * scope) and a *role* on it (`member` or `owner` of a group; a role definition for the directory and for Azure).
 * Stored requests, schedules and approvals keep the two in the fields Graph names for groups — `groupId` (the
 * resource, and the containers' partition key) and `accessId` (the role) — and say which kind of resource with
 * `resourceType`. Documents written before Entra roles have no `resourceType`: they are groups (read as such, no
 * migration step).
 */
import { z } from 'zod';

export const resourceTypeSchema = z.enum(['group', 'directoryRole', 'azureRole']);
export type ResourceType = z.infer<typeof resourceTypeSchema>;

/** A stored document's resource type; absent on documents written before Entra roles: a group. */
export function resourceTypeOf(doc: { resourceType?: ResourceType | undefined }): ResourceType {
  return doc.resourceType ?? 'group';
}

const GUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

/** A directory scope as Graph writes `directoryScopeId`: the whole directory, or an administrative unit. */
export const directoryScopeSchema = z
  .string()
  .regex(
    new RegExp(`^/(administrativeUnits/${GUID})?$`),
    "a directory scope is '/' (the whole directory) or '/administrativeUnits/{id}'",
  );

/** Where in Azure Resource Manager's hierarchy a scope is. */
export type AzureScopeKind = 'managementGroup' | 'subscription' | 'resourceGroup' | 'resource';

// ARM names: management group ids 1–90 of letters, digits, - _ ( ) .; resource group names 1–90 of letters,
// digits, - _ ( ) . (not ending in a period); resources as `providers/{Namespace}/{type}/{name}` pairs, nested.
const MG = /^\/providers\/Microsoft\.Management\/managementGroups\/[\w\-().]{1,90}$/i;
const SUBSCRIPTION = new RegExp(`^/subscriptions/${GUID}$`, 'i');
const RESOURCE_GROUP = new RegExp(`^/subscriptions/${GUID}/resourceGroups/[\\w\\-().]{0,89}[\\w\\-()]$`, 'i');
const RESOURCE = new RegExp(
  `^/subscriptions/${GUID}/resourceGroups/[\\w\\-().]{0,89}[\\w\\-()]/providers/[A-Za-z][\\w.]*(/[\\w\\-.]+/[^/?#\\s]{1,260})+$`,
  'i',
);

/** The kind of an ARM scope, or undefined when the string isn't one. */
export function azureScopeKind(scope: string): AzureScopeKind | undefined {
  if (MG.test(scope)) return 'managementGroup';
  if (SUBSCRIPTION.test(scope)) return 'subscription';
  if (RESOURCE_GROUP.test(scope)) return 'resourceGroup';
  if (RESOURCE.test(scope)) return 'resource';
  return undefined;
}

/**
 * An Azure Resource Manager scope: a management group (`/providers/Microsoft.Management/managementGroups/{id}`), a
 * subscription (`/subscriptions/{id}`), a resource group (`.../resourceGroups/{name}`) or a resource
 * (`.../providers/{Namespace}/{type}/{name}`). ARM compares them case-insensitively; pimflow stores them lower case
 * (`normalizeAzureScope`) and shows ARM's spelling where it has it.
 */
export const azureScopeSchema = z
  .string()
  .max(1024)
  .refine((s) => azureScopeKind(s) !== undefined, {
    message:
      "an Azure scope is '/providers/Microsoft.Management/managementGroups/{id}', '/subscriptions/{id}', '/subscriptions/{id}/resourceGroups/{name}' or a resource's id",
  });

/** The stored form of an ARM scope: lower case, no trailing slash. */
export function normalizeAzureScope(scope: string): string {
  return scope.replace(/\/+$/, '').toLowerCase();
}

/**
 * The scopes above an ARM scope that its id itself names, nearest first: a resource's resource group and
 * subscription, a resource group's subscription. (Which management groups hold a subscription only ARM knows.)
 */
export function azureScopeAncestorsByPath(scope: string): string[] {
  const kind = azureScopeKind(scope);
  const parts = scope.split('/');
  const subscription = parts.slice(0, 3).join('/');
  const resourceGroup = parts.slice(0, 5).join('/');
  if (kind === 'resource') return [resourceGroup, subscription];
  if (kind === 'resourceGroup') return [subscription];
  return [];
}

/** The resource: a group's object id, a directory scope, or an Azure scope. */
export const resourceIdSchema = z.union([z.guid(), directoryScopeSchema, azureScopeSchema]);

/** The role on the resource: `member` or `owner` of a group, or a directory or Azure role definition's id. */
export const roleIdSchema = z.union([z.enum(['member', 'owner']), z.guid()]);
