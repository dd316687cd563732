/**
 * The token endpoint's grants for single-page apps: `authorization_code` (with PKCE) and `refresh_token`, as
 * Entra ID answers them. A SPA redeems from the browser, so Entra ID insists on a cross-origin request (an
 * `Origin` header); a claims challenge the session can't meet sends the app back to interactive sign-in.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  checkCodeVerifier,
  SPA_REFRESH_LIFETIME_MS,
  type AuthorizationGrants,
  type SignIn,
} from './authorization-grants';
import { OIDC_SCOPES } from './authorize-request';
import { isMet, stepUpMessage, parseClaimsRequest, unmet } from './claims-request';
import type { DirectoryUser } from './identity-stand-in';
import type { SpaClient, SpaClients } from './spa-clients';
import { TokenRequestError } from './token-request-error';

export interface SpaTokenDeps {
  tenantId: string;
  apiAudience: string;
  lifetime: number;
  clients: SpaClients;
  grants: AuthorizationGrants;
  findUser: (idOrUpn: string) => DirectoryUser | undefined;
  appRoles: (userId: string) => string[];
  /** The API access token: the same claims as the stand-in's user tokens, `azp` the SPA. */
  accessToken: (user: DirectoryUser, signIn: SignIn, roles: string[], azp: string) => Promise<string>;
  idToken: (claims: Record<string, unknown>, clientId: string) => Promise<string>;
}

export function spaTokenGrants(d: SpaTokenDeps) {
  const requireClient = (form: URLSearchParams, origin: string | undefined): SpaClient => {
    const client = d.clients.require(form.get('client_id'));
    if (!origin) {
      throw new TokenRequestError(
        "AADSTS9002327: Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests.",
      );
    }
    return client;
  };

  const respond = async (
    client: SpaClient,
    signIn: SignIn,
    scopes: string[],
    extra: { nonce?: string; refreshExpiresAt?: number },
  ): Promise<Record<string, unknown>> => {
    const user = d.findUser(signIn.userId);
    if (!user) {
      throw new TokenRequestError(
        `AADSTS50034: The user account ${signIn.userId} does not exist in the ${d.tenantId} directory.`,
        'invalid_grant',
      );
    }
    const roles = d.appRoles(user.id);
    const refreshExpiresAt = extra.refreshExpiresAt ?? Date.now() + SPA_REFRESH_LIFETIME_MS;
    const refreshToken = d.grants.issueRefreshToken(
      { ...signIn, clientId: client.clientId, scopes },
      refreshExpiresAt,
    );
    const clientInfo = Buffer.from(JSON.stringify({ uid: user.id, utid: d.tenantId })).toString('base64url');
    return {
      token_type: 'Bearer',
      // The API's scope, whichever form the app asked for (Entra ID answers `.default` with the granted scopes).
      scope:
        `${d.apiAudience}/access_as_user ${scopes.filter((s) => OIDC_SCOPES.includes(s)).join(' ')}`.trim(),
      expires_in: d.lifetime,
      ext_expires_in: d.lifetime,
      access_token: await d.accessToken(user, signIn, roles, client.clientId),
      refresh_token: refreshToken,
      refresh_token_expires_in: Math.max(0, Math.floor((refreshExpiresAt - Date.now()) / 1000)),
      id_token: await d.idToken(
        {
          oid: user.id,
          // Pairwise per app, as Entra ID's `sub`.
          sub: pairwiseSub(user.id, client.clientId),
          name: user.displayName,
          preferred_username: user.userPrincipalName,
          ...(extra.nonce !== undefined ? { nonce: extra.nonce } : {}),
          aio: randomAio(),
        },
        client.clientId,
      ),
      client_info: clientInfo,
    };
  };

  async function authorizationCode(form: URLSearchParams, origin: string | undefined) {
    const client = requireClient(form, origin);
    const grant = d.grants.redeemCode(form.get('code'));
    if (grant.clientId !== client.clientId) {
      throw new TokenRequestError(
        'AADSTS700005: Provided Authorization Code is intended to use against other tenant or client, thus rejected.',
        'invalid_grant',
      );
    }
    if (form.get('redirect_uri') !== grant.redirectUri) {
      throw new TokenRequestError(
        'AADSTS500117: The reply uri specified in the request does not match the reply uri used in the authorization request.',
        'invalid_grant',
      );
    }
    checkCodeVerifier(form.get('code_verifier'), grant.codeChallenge);
    return respond(client, grant, grant.scopes, { nonce: grant.nonce });
  }

  async function refreshToken(form: URLSearchParams, origin: string | undefined) {
    const client = requireClient(form, origin);
    const demand = parseClaimsRequest(form.get('claims'));
    // A claims challenge the sign-in can't meet leaves the refresh token usable for what it can do.
    const grant = d.grants.redeemRefreshToken(form.get('refresh_token'), client.clientId, (g) => {
      const missing = unmet(demand, g.amr, g.acrs);
      if (isMet(missing)) return;
      throw new TokenRequestError(
        stepUpMessage(missing, d.apiAudience),
        'interaction_required',
        400,
        form.get('claims') ?? undefined,
      );
    });
    const scopes = (form.get('scope') ?? grant.scopes.join(' ')).split(' ').filter(Boolean);
    return respond(client, grant, scopes, { refreshExpiresAt: grant.expiresAt });
  }

  return { authorizationCode, refreshToken };
}

function pairwiseSub(userId: string, clientId: string): string {
  return createHash('sha256').update(`${userId}|${clientId}`).digest('base64url').slice(0, 43);
}

function randomAio(): string {
  return randomBytes(32).toString('base64url');
}
