/** Access as membership or ownership of an Entra ID group, through Microsoft Graph. */
import type { Directory } from '../directory/directory';
import { AccessNotConfirmedError, type AccessProvider, type AccessTarget } from './access-provider';

export function createGroupAccessProvider(directory: Directory): AccessProvider {
  const isHeld = (t: AccessTarget) =>
    t.role === 'owner'
      ? directory.isOwner(t.resourceId, t.principalId)
      : directory.isMember(t.resourceId, t.principalId);
  return {
    async grant(t) {
      if (t.role === 'owner') await directory.addOwner(t.resourceId, t.principalId);
      else await directory.addMember(t.resourceId, t.principalId);
      // Confirm: a grant isn't done until Graph shows it.
      if (!(await isHeld(t)))
        throw new AccessNotConfirmedError(
          `Graph does not show ${t.principalId} as ${t.role} of ${t.resourceId} yet`,
        );
    },
    async revoke(t) {
      if (t.role === 'owner') await directory.removeOwner(t.resourceId, t.principalId);
      else await directory.removeMember(t.resourceId, t.principalId);
      if (await isHeld(t))
        throw new AccessNotConfirmedError(
          `Graph still shows ${t.principalId} as ${t.role} of ${t.resourceId}`,
        );
    },
    verify: isHeld,
    async listHolders(resourceId, role) {
      const holders =
        role === 'owner'
          ? await directory.listGroupOwners(resourceId)
          : await directory.listGroupMembers(resourceId);
      return holders.map((h) => h.id);
    },
  };
}
