/**
 * Who may do what with a managed group (the seeds' rules):
 * - administrators (app role PimFlow.Admin) manage everything;
 * - an active owner of a managed group (an owner in Graph right now) manages that group's role settings and
 *   assignments, and reads them;
 * - auditors (app role PimFlow.Auditor) read everything and change nothing;
 * - everyone else: 403.
 * Services call `canManageGroup`/`canReadGroup`; the HTTP edge calls `authorizeGroup` (http/authorize-group.ts).
 */
import { APP_ROLES, type CallerPrincipal } from '../auth/principal';
import type { Directory } from '../directory/directory';
import type { ManagedGroupRepository } from './adapters/managed-group-repository';

export interface AuthorizationDeps {
  directory: Directory;
  managedGroups: ManagedGroupRepository;
}

export type GroupAccess = 'read' | 'manage';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isAdmin(caller: CallerPrincipal): boolean {
  return caller.roles.includes(APP_ROLES.admin);
}

export function isAuditor(caller: CallerPrincipal): boolean {
  return caller.roles.includes(APP_ROLES.auditor);
}

/** Admins and auditors read everything. */
export function canReadEverything(caller: CallerPrincipal): boolean {
  return isAdmin(caller) || isAuditor(caller);
}

/**
 * Is the caller an owner of the group in Graph right now (directly; an activated ownership counts)? Users only:
 * an app-only caller is never treated as an owner.
 */
export async function isActiveOwner(
  deps: Pick<AuthorizationDeps, 'directory'>,
  caller: CallerPrincipal,
  groupId: string,
): Promise<boolean> {
  // An app's service principal can own a group in Entra ID, but apps get only what their app roles give.
  if (caller.kind !== 'user' || !GUID.test(groupId)) return false;
  return deps.directory.isOwner(groupId, caller.objectId);
}

/**
 * May the caller change the group's role settings and assignments? Admins always; otherwise active owners of a
 * group that is under management. (Auditors never: they change nothing.)
 */
export async function canManageGroup(
  deps: AuthorizationDeps,
  caller: CallerPrincipal,
  groupId: string,
): Promise<boolean> {
  if (isAdmin(caller)) return true;
  if (!GUID.test(groupId)) return false;
  const managed = await deps.managedGroups.find(groupId.toLowerCase());
  if (!managed) return false;
  return isActiveOwner(deps, caller, groupId);
}

/** May the caller read the group's role settings and assignments? Admins, auditors, and those who manage it. */
export async function canReadGroup(
  deps: AuthorizationDeps,
  caller: CallerPrincipal,
  groupId: string,
): Promise<boolean> {
  return canReadEverything(caller) || canManageGroup(deps, caller, groupId);
}
