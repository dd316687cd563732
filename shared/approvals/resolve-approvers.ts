/**
 * Who approves: the users behind an approval stage's approvers (users, groups' members, the group's owners, the
 * directory's privileged role administrators).
 */
import type { Directory, DirectoryPrincipal } from '../directory/directory';
import { GraphError } from '../directory/graph-error';
import { LAST_HOLDER_PROTECTED_ROLES } from '../managed-roles/domain/managed-role';
import { holdersBehind } from '../managed-roles/role-holders';
import type { StageApprover } from './domain/approval-stages';

/**
 * User ids of the approvers: listed users, transitive user members of listed groups, and for `groupOwners` the
 * group's owners (users). Disabled accounts and `excluded` (the requester) are left out. A listed user or group that
 * no longer exists is skipped (and logged); other directory failures throw, so the activity can be retried.
 */
export async function resolveApprovers(
  directory: Directory,
  approvers: readonly StageApprover[],
  groupId: string,
  excluded: ReadonlySet<string>,
  logger: (message: string) => void = () => undefined,
): Promise<string[]> {
  const candidates: string[] = [];
  const missingIsEmpty = async (what: string, list: () => Promise<{ id: string; type: string }[]>) => {
    try {
      return await list();
    } catch (err) {
      if (err instanceof GraphError && err.status === 404) {
        logger(`Approver ${what} no longer exists; skipped`);
        return [];
      }
      throw err;
    }
  };
  for (const approver of approvers) {
    if (approver.type === 'user') candidates.push(approver.id);
    else {
      const principals =
        approver.type === 'groupMembers'
          ? await missingIsEmpty(`group ${approver.id}`, () => directory.listTransitiveMembers(approver.id))
          : approver.type === 'privilegedRoleAdmins'
            ? await privilegedRoleAdmins(directory)
            : await missingIsEmpty(`owners of ${groupId}`, () => directory.listGroupOwners(groupId));
      for (const p of principals) if (p.type === 'user') candidates.push(p.id);
    }
  }
  const unique = [...new Set(candidates.map((id) => id.toLowerCase()))].filter((id) => !hasId(excluded, id));
  if (unique.length === 0) return [];
  const users = await directory.getUsers(unique);
  return unique.filter((id) => {
    const user = users[id];
    if (!user) logger(`Approver ${id} no longer exists; skipped`);
    return user !== null && user !== undefined && user.accountEnabled;
  });
}

/**
 * Users holding Global Administrator or Privileged Role Administrator for the whole directory: directly, or as
 * members of a role-assignable group that holds it. (An administrative unit's admins don't approve tenant roles.)
 */
async function privilegedRoleAdmins(directory: Directory): Promise<DirectoryPrincipal[]> {
  const assignments = (
    await Promise.all(
      LAST_HOLDER_PROTECTED_ROLES.map((roleDefinitionId) =>
        directory.listRoleAssignments({ roleDefinitionId, directoryScopeId: '/' }),
      ),
    )
  ).flat();
  return holdersBehind(directory, assignments);
}

function hasId(set: ReadonlySet<string>, id: string): boolean {
  for (const value of set) if (value.toLowerCase() === id.toLowerCase()) return true;
  return false;
}
