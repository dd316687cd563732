/** Who is calling the API, from a validated Entra ID access token. */
export interface CallerPrincipal {
  /** The caller's object id (`oid`): how pimflow names principals everywhere. */
  objectId: string;
  tenantId: string;
  /** App roles granted to the caller in the API's app registration (`roles`). */
  roles: string[];
  /** How the caller authenticated (`amr`), e.g. `pwd`, `mfa`. */
  authenticationMethods: string[];
  /** Conditional Access authentication contexts satisfied (`acrs`), e.g. `c1`. */
  authenticationContexts: string[];
  displayName?: string;
  userPrincipalName?: string;
}

export const APP_ROLES = { admin: 'PimFlow.Admin', auditor: 'PimFlow.Auditor' } as const;

export function hasMfa(p: CallerPrincipal): boolean {
  return p.authenticationMethods.includes('mfa');
}
