/**
 * The one port through which pimflow grants and takes away access. Group membership and ownership implement it
 * now; Entra directory roles and Azure resource roles will implement it later, and the orchestrations won't change.
 */
export interface AccessTarget {
  /** The resource: a group id now; a role scope later. */
  resourceId: string;
  /** The role on it: `member` or `owner` for groups. */
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
  listHolders(resourceId: string, role: string): Promise<string[]>;
}

/** The grant or revoke did not take: Graph still shows the old state after the change was accepted. */
export class AccessNotConfirmedError extends Error {}
