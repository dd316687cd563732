/** Who is calling the API, from a validated Entra ID access token. */
export interface CallerPrincipal {
  /**
   * `user`: a signed-in user's delegated token (it carries a scope, `scp`). `app`: an app-only token (client
   * credentials: `idtyp: app`, or no `scp`) — the calling application itself, with no user behind it. See
   * `callerKind` for the exact rule and docs/architecture.md ("Callers") for what each kind may do.
   */
  kind: 'user' | 'app';
  /** The caller's object id (`oid`): the user's, or the calling app's service principal's. */
  objectId: string;
  tenantId: string;
  /** The client application the token was issued to (`azp`, or v1.0 `appid`). */
  clientAppId?: string;
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

/** Every app role pimflow knows: an app-only caller needs at least one of them to be let in at all. */
export const KNOWN_APP_ROLES: readonly string[] = Object.values(APP_ROLES);

/**
 * User or app-only, from the token's claims. A token is a user's only when it carries a delegated scope (`scp`)
 * and does not say `idtyp: app`; anything else is app-only — the more restricted kind, so a token that is unclear
 * about it gets no more than its app roles give. Entra ID puts `scp` in every delegated token and never in an
 * app-only one; `idtyp` (an optional claim, `app` or `user`) is there when the API's registration asks for it
 * (infra/scripts/setup-entra.sh does).
 */
export function callerKind(claims: Record<string, unknown>): 'user' | 'app' {
  if (claims.idtyp === 'app') return 'app';
  return typeof claims.scp === 'string' && claims.scp.trim() !== '' ? 'user' : 'app';
}

export function hasMfa(p: CallerPrincipal): boolean {
  return p.authenticationMethods.includes('mfa');
}
