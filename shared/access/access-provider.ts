/**
 * The one port through which pimflow grants and takes away access. Group membership and ownership implement it
 * (group-access-provider.ts), Entra directory role assignments (directory-role-access-provider.ts) and Azure role
 * assignments through Azure Resource Manager (azure-role-access-provider.ts); the access
 * router (access-router.ts) picks one by the target's resource type, so the orchestrations never branch on it.
 */
import type { ResourceType } from './resource';

export interface AccessTarget {
  /** Absent on targets built before Entra roles (running orchestrations' histories): a group. */
  resourceType?: ResourceType;
  /** The resource: a group's id, a directory scope (`/`, `/administrativeUnits/{id}`), or an ARM scope. */
  resourceId: string;
  /** The role on it: `member` or `owner` for groups; the role definition id (GUID) for the directory and Azure. */
  role: string;
  principalId: string;
}

export interface AccessProvider {
  /** Grants the access; success if it was already there (idempotent). */
  grant(target: AccessTarget): Promise<void>;
  /** Removes the access; success if it was already gone (idempotent). */
  revoke(target: AccessTarget): Promise<void>;
  /** Whether the principal holds the access right now, read from the source of truth. */
  verify(target: AccessTarget): Promise<boolean>;
  /** Everyone holding a role on a resource, read from the source of truth. */
  listHolders(resourceId: string, role: string, resourceType?: ResourceType): Promise<string[]>;
}

/** The grant or revoke did not take: Graph still shows the old state after the change was accepted. */
export class AccessNotConfirmedError extends Error {}

/**
 * A rule keeps the access (the directory's last Global Administrator, a managed subscription's last Owner): the
 * revoke is refused, not failed. Callers report it and keep the access (the request orchestration tries again
 * later), instead of retrying.
 */
export class AccessRemovalRefusedError extends Error {}

/** Why removing the access is refused now (a rule a guard applies to revoke), or null when it may go. */
export type RemovalRule = (target: AccessTarget) => Promise<string | null>;

/** The provider, its revoke refused (AccessRemovalRefusedError, or `refusal`'s error) when `rule` keeps the access. */
export function guardRemovals(
  provider: AccessProvider,
  rule: RemovalRule,
  refusal: (why: string) => AccessRemovalRefusedError = (why) => new AccessRemovalRefusedError(why),
): AccessProvider {
  return {
    ...provider,
    async revoke(target) {
      const why = await rule(target);
      if (why) throw refusal(why);
      return provider.revoke(target);
    },
  };
}
