/**
 * What one instance of a review reviews: a group role (`member` or `owner` of a managed group) or a Microsoft Entra
 * directory role (a managed role definition at a directory scope). Instances and decision items keep it under the
 * names every stored document uses (shared/access/resource.ts): `groupId` the resource — a group's id or the
 * directory scope — `accessId` the role — `member`/`owner` or the role definition id — and `resourceType`, absent
 * on documents written before Entra roles (groups). This module names it for mails, pages and audit. Pure.
 */
import { z } from 'zod';
import { directoryScopeSchema, resourceTypeOf, type ResourceType } from '../../access/resource';
import { accessIdSchema } from '../../policies/domain/role-settings';

/** A group role in a definition's scope. */
export const groupScopeRoleSchema = z.strictObject({ groupId: z.guid(), accessId: accessIdSchema });

/** A directory role in a definition's scope: the role definition (template id for built-in roles) at a scope. */
export const directoryScopeRoleSchema = z.strictObject({
  roleDefinitionId: z.guid(),
  directoryScopeId: directoryScopeSchema.default('/'),
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

/** A group role, or a directory role (told apart by `roleDefinitionId`). */
export const scopeRoleSchema = eitherShape(
  (v) => 'roleDefinitionId' in v,
  groupScopeRoleSchema,
  directoryScopeRoleSchema,
);
export type ScopeRole = z.infer<typeof scopeRoleSchema>;
export type DirectoryScopeRole = z.infer<typeof directoryScopeRoleSchema>;

export function isDirectoryScopeRole(role: ScopeRole): role is DirectoryScopeRole {
  return 'roleDefinitionId' in role;
}

/** A scope role as stored documents name it (ids lower-case). */
export interface StoredRole {
  resourceType: ResourceType;
  groupId: string;
  accessId: string;
}

export function storedRole(role: ScopeRole): StoredRole {
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
  /** The group's name; for a directory role, the scope's ("Directory", or the administrative unit's). */
  groupDisplayName: string | null;
  /** A directory role's name ("Application Administrator"); absent for groups. */
  roleDisplayName?: string | null | undefined;
}

export function isDirectoryRole(r: { resourceType?: ResourceType | undefined }): boolean {
  return resourceTypeOf(r) === 'directoryRole';
}

/** The name of the directory's whole scope, as the portal shows it. */
export const DIRECTORY_SCOPE_NAME = 'Directory';

/**
 * How mails, pages and audit name what is reviewed: "member of Helpdesk Admin-Group", or "the Application
 * Administrator role" (with " in Finance Department" below the tenant scope).
 */
export function reviewedRoleLabel(r: ReviewedRole): string {
  if (!isDirectoryRole(r)) return `${r.accessId} of ${r.groupDisplayName ?? r.groupId}`;
  const where = r.groupId === '/' ? '' : ` in ${r.groupDisplayName ?? r.groupId}`;
  return `the ${roleName(r)} role${where}`;
}

/** A directory role's display name, or its id when the directory didn't give one. */
export function roleName(r: ReviewedRole): string {
  return r.roleDisplayName ?? r.accessId;
}

/** The audit's target for what is reviewed: the group, or the directory role (its definition id). */
export function reviewedTarget(r: ReviewedRole): {
  id: string;
  displayName: string | null;
  type: 'Group' | 'Role';
} {
  return isDirectoryRole(r)
    ? { id: r.accessId, displayName: r.roleDisplayName ?? null, type: 'Role' }
    : { id: r.groupId, displayName: r.groupDisplayName, type: 'Group' };
}

/** The names review mails give a directory role; null for a group role. */
export function directoryRoleNames(r: ReviewedRole): { roleName: string; unitName: string | null } | null {
  if (!isDirectoryRole(r)) return null;
  return { roleName: roleName(r), unitName: r.groupId === '/' ? null : (r.groupDisplayName ?? r.groupId) };
}
