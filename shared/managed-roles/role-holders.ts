/** The users behind directory role assignments: who holds a role as a person, directly or through a group. */
import type { Directory, DirectoryPrincipal, DirectoryRoleAssignment } from '../directory/directory';

/**
 * The principals behind `assignments`, a role-assignable group's replaced by its (transitive) members; apps and
 * groups are kept as they are for the caller to filter. Principals the directory no longer has are left out.
 */
export async function holdersBehind(
  directory: Pick<Directory, 'getPrincipal' | 'listTransitiveMembers'>,
  assignments: readonly DirectoryRoleAssignment[],
): Promise<DirectoryPrincipal[]> {
  const holders: DirectoryPrincipal[] = [];
  for (const a of assignments) {
    const principal = await directory.getPrincipal(a.principalId);
    if (principal?.type === 'group') holders.push(...(await directory.listTransitiveMembers(principal.id)));
    else if (principal) holders.push(principal);
  }
  return holders;
}
