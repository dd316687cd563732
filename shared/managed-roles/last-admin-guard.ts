/**
 * PIM never leaves the directory without an active Global Administrator or Privileged Role Administrator (seed 002):
 * this wraps the directory-role access provider so that every removal — a deactivation, an expiry, an admin's
 * removal, a review's deny, a drift fix — is refused when it would take away the last one. The caller audits and
 * reports the refusal (the request orchestration keeps the assignment and tries again later).
 */
import {
  AccessRemovalRefusedError,
  guardRemovals,
  type AccessProvider,
  type AccessTarget,
} from '../access/access-provider';
import type { Directory } from '../directory/directory';
import { LAST_HOLDER_PROTECTED_ROLES } from './domain/managed-role';
import { holdersBehind } from './role-holders';

export class LastPrivilegedAdminError extends AccessRemovalRefusedError {
  override name = 'LastPrivilegedAdminError';
}

/** Whether removing `target` needs the check: a protected role, held for the whole directory. */
export function isProtectedRemoval(target: Pick<AccessTarget, 'resourceId' | 'role'>): boolean {
  return target.resourceId === '/' && LAST_HOLDER_PROTECTED_ROLES.includes(target.role.toLowerCase());
}

/**
 * Why removing `target` is refused (it would leave the role with no other enabled user holding it, directly or
 * through a role-assignable group), or null when it may go.
 */
export async function whyLastPrivilegedAdmin(
  directory: Directory,
  target: Pick<AccessTarget, 'resourceId' | 'role' | 'principalId'>,
): Promise<string | null> {
  if (!isProtectedRemoval(target)) return null;
  const assignments = await directory.listRoleAssignments({
    roleDefinitionId: target.role.toLowerCase(),
    directoryScopeId: '/',
  });
  const principalId = target.principalId.toLowerCase();
  if (!assignments.some((a) => a.principalId.toLowerCase() === principalId)) return null;
  const others = assignments.filter((a) => a.principalId.toLowerCase() !== principalId);
  const userIds = new Set(
    (await holdersBehind(directory, others)).filter((h) => h.type === 'user').map((h) => h.id.toLowerCase()),
  );
  userIds.delete(principalId);
  if (userIds.size > 0) {
    const users = await directory.getUsers([...userIds]);
    if (Object.values(users).some((u) => u?.accountEnabled)) return null;
  }
  const role = (await directory.getRoleDefinition(target.role))?.displayName ?? target.role;
  return `${target.principalId} is the last active ${role}: the directory is never left without one`;
}

/** The provider, refusing (LastPrivilegedAdminError) a revoke that would remove the last privileged admin. */
export function guardLastPrivilegedAdmins(provider: AccessProvider, directory: Directory): AccessProvider {
  return guardRemovals(
    provider,
    (target) => whyLastPrivilegedAdmin(directory, target),
    (why) => new LastPrivilegedAdminError(why),
  );
}
