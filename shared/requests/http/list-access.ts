/**
 * Who may list requests and schedules: admins and auditors everything; a group's managers that group's; anyone
 * else only their own (a `principalId eq '<own id>'` filter, or filterByCurrentUser).
 */
import type { HttpResponseInit } from '@azure/functions';
import { APP_ROLES, type CallerPrincipal } from '../../auth/principal';
import { problem } from '../../http/problem';

export async function mayList(
  canManageGroup: (caller: CallerPrincipal, groupId: string) => Promise<boolean>,
  caller: CallerPrincipal,
  filters: { groupId?: string; principalId?: string },
): Promise<HttpResponseInit | undefined> {
  if (caller.roles.includes(APP_ROLES.admin) || caller.roles.includes(APP_ROLES.auditor)) return undefined;
  if (filters.principalId === caller.objectId) return undefined;
  if (filters.groupId && (await canManageGroup(caller, filters.groupId))) return undefined;
  return problem(
    403,
    `Filter on principalId eq '${caller.objectId}' (your own), on a group you manage, or use filterByCurrentUser(on='principal')`,
  );
}
