/**
 * What one instance of a review reviews: a group role (`member` or `owner` of a managed group), a Microsoft Entra
 * directory role (a managed role definition at a directory scope) or an Azure role (a role definition at an Azure
 * Resource Manager scope pimflow governs). Instances and decision items keep it under the names every stored
 * document uses (shared/access/resource.ts): `groupId` the resource — a group's id, the directory scope or the ARM
 * scope (lower case) — `accessId` the role — `member`/`owner` or the role definition's GUID — and `resourceType`,
 * absent on documents written before Entra roles (groups). This module names it for mails, pages and audit. Pure.
 */
import { z } from 'zod';
import {
  azureScopeSchema,
  directoryScopeSchema,
  normalizeAzureScope,
  resourceTypeOf,
  type ResourceType,
} from '../../access/resource';
import { accessIdSchema } from '../../policies/domain/role-settings';

/** A group role in a definition's scope. */
export const groupScopeRoleSchema = z.strictObject({ groupId: z.guid(), accessId: accessIdSchema });

/** A directory role in a definition's scope: the role definition (template id for built-in roles) at a scope. */
export const directoryScopeRoleSchema = z.strictObject({
  roleDefinitionId: z.guid(),
  directoryScopeId: directoryScopeSchema.default('/'),
});

const ARM_ROLE_DEFINITION =
  /^(?:\/.*)?\/providers\/Microsoft\.Authorization\/roleDefinitions\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/**
 * An Azure role in a definition's scope: the role definition — its GUID, or ARM's id of it
 * (`/subscriptions/{id}/providers/Microsoft.Authorization/roleDefinitions/{guid}`), kept as the GUID — at an ARM
 * scope (management group, subscription, resource group or resource). Only the assignments made at exactly that
 * scope are its holders: those inherited from above belong to the review of the scope that makes them.
 */
export const azureScopeRoleSchema = z.strictObject({
  roleDefinitionId: z
    .string()
    .transform((v) => ARM_ROLE_DEFINITION.exec(v)?.[1] ?? v)
    .pipe(
      z.guid(
        'roleDefinitionId is the role definition GUID or its ARM id (…/providers/Microsoft.Authorization/roleDefinitions/{guid})',
      ),
    ),
  azureScope: azureScopeSchema,
});

/**
 * One of two shapes, picked by what the value looks like, so a refusal names the field that is wrong (a plain union
 * says only "Invalid input").
 */
export function eitherShape<A extends z.ZodType, B extends z.ZodType>(
  isSecond: (value: Record<string, unknown>) => boolean,
  first: A,
  second: B,
) {
  return z.unknown().transform((value, ctx): z.output<A> | z.output<B> => {
    const pickSecond =
      typeof value === 'object' && value !== null && isSecond(value as Record<string, unknown>);
    const result = (pickSecond ? second : first).safeParse(value);
    if (result.success) return result.data as z.output<A> | z.output<B>;
    for (const issue of result.error.issues)
      ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
    return z.NEVER;
  });
}

/** A group role, a directory role (told apart by `roleDefinitionId`) or an Azure role (by `azureScope`). */
export const scopeRoleSchema = eitherShape(
  (v) => 'azureScope' in v,
  eitherShape((v) => 'roleDefinitionId' in v, groupScopeRoleSchema, directoryScopeRoleSchema),
  azureScopeRoleSchema,
);
export type ScopeRole = z.infer<typeof scopeRoleSchema>;
export type DirectoryScopeRole = z.infer<typeof directoryScopeRoleSchema>;
export type AzureScopeRole = z.infer<typeof azureScopeRoleSchema>;

export function isAzureScopeRole(role: ScopeRole): role is AzureScopeRole {
  return 'azureScope' in role;
}

export function isDirectoryScopeRole(role: ScopeRole): role is DirectoryScopeRole {
  return 'roleDefinitionId' in role && !isAzureScopeRole(role);
}

/** A scope role as stored documents name it (ids lower-case). */
export interface StoredRole {
  resourceType: ResourceType;
  groupId: string;
  accessId: string;
}

export function storedRole(role: ScopeRole): StoredRole {
  if (isAzureScopeRole(role))
    return {
      resourceType: 'azureRole',
      groupId: normalizeAzureScope(role.azureScope),
      accessId: role.roleDefinitionId.toLowerCase(),
    };
  return isDirectoryScopeRole(role)
    ? {
        resourceType: 'directoryRole',
        groupId: normalScope(role.directoryScopeId),
        accessId: role.roleDefinitionId.toLowerCase(),
      }
    : { resourceType: 'group', groupId: role.groupId.toLowerCase(), accessId: role.accessId };
}

/** A scope role with its ids lower-case, as a definition stores it. */
export function normalRole(role: ScopeRole): ScopeRole {
  if (isAzureScopeRole(role))
    return {
      roleDefinitionId: role.roleDefinitionId.toLowerCase(),
      azureScope: normalizeAzureScope(role.azureScope),
    };
  return isDirectoryScopeRole(role)
    ? {
        roleDefinitionId: role.roleDefinitionId.toLowerCase(),
        directoryScopeId: normalScope(role.directoryScopeId),
      }
    : { groupId: role.groupId.toLowerCase(), accessId: role.accessId };
}

function normalScope(scope: string): string {
  return scope === '/' ? '/' : `/administrativeUnits/${scope.split('/').pop()?.toLowerCase() ?? ''}`;
}

/** What an instance reviews, as it carries it. */
export interface ReviewedRole {
  resourceType?: ResourceType | undefined;
  groupId: string;
  accessId: string;
  /**
   * The group's name; for a directory role, the scope's ("Directory", or the administrative unit's); for an Azure
   * role, the ARM scope's ("kv-finance", "Contoso Production").
   */
  groupDisplayName: string | null;
  /** A directory or Azure role's name ("Application Administrator", "Key Vault Administrator"); absent for groups. */
  roleDisplayName?: string | null | undefined;
}

export function isDirectoryRole(r: { resourceType?: ResourceType | undefined }): boolean {
  return resourceTypeOf(r) === 'directoryRole';
}

export function isAzureRole(r: { resourceType?: ResourceType | undefined }): boolean {
  return resourceTypeOf(r) === 'azureRole';
}

/** A role definition at a scope (a directory role or an Azure role), not a group's role. */
export function isRoleAtScope(r: { resourceType?: ResourceType | undefined }): boolean {
  return resourceTypeOf(r) !== 'group';
}

/** The name of the directory's whole scope, as the portal shows it. */
export const DIRECTORY_SCOPE_NAME = 'Directory';

/**
 * How mails, pages and audit name what is reviewed: "member of Helpdesk Admin-Group", "the Application
 * Administrator role" (with " in Finance Department" below the tenant scope), or "the Key Vault Administrator role
 * on kv-finance".
 */
export function reviewedRoleLabel(r: ReviewedRole): string {
  if (!isRoleAtScope(r)) return `${r.accessId} of ${r.groupDisplayName ?? r.groupId}`;
  if (isAzureRole(r)) return `the ${roleName(r)} role on ${r.groupDisplayName ?? r.groupId}`;
  const where = r.groupId === '/' ? '' : ` in ${r.groupDisplayName ?? r.groupId}`;
  return `the ${roleName(r)} role${where}`;
}

/** A directory role's display name, or its id when the directory didn't give one. */
export function roleName(r: ReviewedRole): string {
  return r.roleDisplayName ?? r.accessId;
}

/** The audit's target for what is reviewed: the group, or the directory or Azure role (its definition id). */
export function reviewedTarget(r: ReviewedRole): {
  id: string;
  displayName: string | null;
  type: 'Group' | 'Role';
} {
  return isRoleAtScope(r)
    ? { id: r.accessId, displayName: r.roleDisplayName ?? null, type: 'Role' }
    : { id: r.groupId, displayName: r.groupDisplayName, type: 'Group' };
}

/**
 * The names review mails give a directory or Azure role ("… role in Finance Department", "… role in kv-finance");
 * null for a group role.
 */
export function directoryRoleNames(r: ReviewedRole): { roleName: string; unitName: string | null } | null {
  if (!isRoleAtScope(r)) return null;
  return { roleName: roleName(r), unitName: r.groupId === '/' ? null : (r.groupDisplayName ?? r.groupId) };
}
