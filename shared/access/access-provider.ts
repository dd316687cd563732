/**
 * The one port through which pimflow grants and takes away access. Group membership and ownership implement it
 * (group-access-provider.ts), and Entra directory role assignments (directory-role-access-provider.ts); the access
 * router (access-router.ts) picks one by the target's resource type, so the orchestrations never branch on it.
 */
import type { ResourceType } from './resource';

export interface AccessTarget {
  /** Absent on targets built before Entra roles (running orchestrations' histories): a group. */
  resourceType?: ResourceType;
  /** The resource: a group's id, or a directory scope (`/`, `/administrativeUnits/{id}`). */
  resourceId: string;
  /** The role on it: `member` or `owner` for groups; the role definition id for the directory. */
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
