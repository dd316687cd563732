/**
 * What a sign-in grants a SPA, held in memory (a restart signs everyone out, as a new browser session would):
 *  - authorization codes: one-time, 10 minutes, bound to the request that asked for them (client, redirect URI,
 *    PKCE challenge, nonce, scopes) and to the sign-in (user, amr, acrs);
 *  - refresh tokens: rotated on every use, bound to client and user, and (for SPAs) dead 24 hours after the
 *    sign-in however often they are rotated, as Entra ID does.
 */
import { createHash, randomBytes } from 'node:crypto';
import { TokenRequestError } from './token-request-error';

export const CODE_LIFETIME_MS = 10 * 60 * 1000;
export const SPA_REFRESH_LIFETIME_MS = 24 * 60 * 60 * 1000;

/** A sign-in: who, how (amr) and which authentication contexts they satisfied, and when. */
export interface SignIn {
  userId: string;
  amr: string[];
  acrs: string[];
  authTime: number;
}

export interface CodeGrant extends SignIn {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  nonce: string | undefined;
  scopes: string[];
  expiresAt: number;
}

export interface RefreshGrant extends SignIn {
  clientId: string;
  scopes: string[];
  /** Fixed at the first sign-in: rotation does not extend a SPA's refresh token. */
  expiresAt: number;
}

export class AuthorizationGrants {
  private readonly codes = new Map<string, CodeGrant>();
  private readonly refreshTokens = new Map<string, RefreshGrant>();

  constructor(private readonly now: () => number = Date.now) {}

  issueCode(grant: Omit<CodeGrant, 'expiresAt'>): string {
    const code = `1.${randomBytes(48).toString('base64url')}`;
    this.codes.set(code, { ...grant, expiresAt: this.now() + CODE_LIFETIME_MS });
    return code;
  }

  /** Redeems a code once: a second redemption, or one after 10 minutes, is refused. */
  redeemCode(code: string | null): CodeGrant {
    const grant = code ? this.codes.get(code) : undefined;
    if (!code || !grant) {
      throw new TokenRequestError(
        'AADSTS54005: OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.',
        'invalid_grant',
      );
    }
    this.codes.delete(code);
    if (grant.expiresAt <= this.now()) {
      throw new TokenRequestError(
        'AADSTS70008: The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.',
        'invalid_grant',
      );
    }
    return grant;
  }

  issueRefreshToken(grant: Omit<RefreshGrant, 'expiresAt'>, expiresAt?: number): string {
    const token = `1.${randomBytes(64).toString('base64url')}`;
    this.refreshTokens.set(token, { ...grant, expiresAt: expiresAt ?? this.now() + SPA_REFRESH_LIFETIME_MS });
    return token;
  }

  /**
   * Takes a refresh token out of use (rotation): its successor is issued by the caller. A `check` that throws
   * (a claims challenge the sign-in can't meet) leaves it usable.
   */
  redeemRefreshToken(
    token: string | null,
    clientId: string,
    check?: (grant: RefreshGrant) => void,
  ): RefreshGrant {
    const grant = token ? this.refreshTokens.get(token) : undefined;
    if (!token || !grant) {
      throw new TokenRequestError(
        'AADSTS9002313: Invalid request. Request is malformed or invalid: the refresh token is not valid.',
        'invalid_grant',
      );
    }
    if (grant.clientId !== clientId) {
      throw new TokenRequestError(
        'AADSTS700005: Provided Authorization Code is intended to use against other tenant or client, thus rejected.',
        'invalid_grant',
      );
    }
    if (grant.expiresAt <= this.now()) {
      this.refreshTokens.delete(token);
      throw new TokenRequestError(
        'AADSTS700084: The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of 1.00:00:00, which cannot be extended. It is now expired and a new sign in request must be sent by the SPA to the sign in page.',
        'invalid_grant',
      );
    }
    check?.(grant);
    this.refreshTokens.delete(token);
    return grant;
  }
}

/** PKCE S256: base64url(SHA-256(verifier)) must equal the challenge sent to /authorize. */
export function checkCodeVerifier(verifier: string | null, challenge: string): void {
  if (!verifier) {
    throw new TokenRequestError(
      "AADSTS50148: The code_verifier does not match the code_challenge supplied in the authorization request for PKCE. The request body must contain the following parameter: 'code_verifier'.",
      'invalid_grant',
    );
  }
  if (createHash('sha256').update(verifier).digest('base64url') !== challenge) {
    throw new TokenRequestError(
      'AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request.',
      'invalid_grant',
    );
  }
}
