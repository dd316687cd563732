/**
 * What pimflow governs access to: a *resource* (a group, or the directory at a scope) and a *role* on it (`member`
 * or `owner` of a group; a role definition for the directory). Stored requests, schedules and approvals keep the
 * two in the fields Graph names for groups — `groupId` (the resource, and the containers' partition key) and
 * `accessId` (the role) — and say which kind of resource with `resourceType`. Documents written before Entra roles
 * have no `resourceType`: they are groups (read as such, no migration step).
 */
import { z } from 'zod';

export const resourceTypeSchema = z.enum(['group', 'directoryRole']);
export type ResourceType = z.infer<typeof resourceTypeSchema>;

/** A stored document's resource type; absent on documents written before Entra roles: a group. */
export function resourceTypeOf(doc: { resourceType?: ResourceType | undefined }): ResourceType {
  return doc.resourceType ?? 'group';
}

/** A directory scope as Graph writes `directoryScopeId`: the whole directory, or an administrative unit. */
export const directoryScopeSchema = z
  .string()
  .regex(
    /^\/(administrativeUnits\/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$/,
    "a directory scope is '/' (the whole directory) or '/administrativeUnits/{id}'",
  );

/** The resource: a group's object id, or a directory scope. */
export const resourceIdSchema = z.union([z.guid(), directoryScopeSchema]);

/** The role on the resource: `member` or `owner` of a group, or a directory role definition's id. */
export const roleIdSchema = z.union([z.enum(['member', 'owner']), z.guid()]);
