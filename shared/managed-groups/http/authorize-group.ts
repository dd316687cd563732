/** For HTTP functions: may the caller read or manage the group? Nothing when allowed, else the 403 to return. */
import type { HttpResponseInit } from '@azure/functions';
import type { CallerPrincipal } from '../../auth/principal';
import { problem } from '../../http/problem';
import { canManageGroup, canReadGroup, type AuthorizationDeps, type GroupAccess } from '../authorization';

export async function authorizeGroup(
  deps: AuthorizationDeps,
  caller: CallerPrincipal,
  groupId: string,
  access: GroupAccess,
): Promise<HttpResponseInit | undefined> {
  const allowed =
    access === 'read'
      ? await canReadGroup(deps, caller, groupId)
      : await canManageGroup(deps, caller, groupId);
  if (allowed) return undefined;
  return problem(
    403,
    access === 'read'
      ? 'Only admins, auditors and active owners of the group can read its settings'
      : 'Only admins and active owners of the group can change its settings',
  );
}
