/**
 * Validates Entra ID access tokens with `jose`: signature against the issuer's JWKS (found through its OpenID
 * Connect discovery document), issuer, audience, expiry (a token without `exp` is refused: it would never expire),
 * tenant, and RS256 only (so `alg: none` and HMAC tricks fail). Tells a user's delegated token from an app-only
 * one (`callerKind`). Works unchanged with Entra ID and with the local identity stand-in: only the issuer URL
 * differs.
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { callerKind, type CallerPrincipal } from './principal';

export interface TokenValidatorOptions {
  /** e.g. `https://login.microsoftonline.com/{tenant}/v2.0` */
  issuer: string;
  /** The API's audience: its application id URI or client id. */
  audience: string;
  tenantId: string;
  clockToleranceSeconds?: number;
}

/** A missing or bad token: answer 401 with `WWW-Authenticate: Bearer`. */
export class AuthenticationError extends Error {
  constructor(
    message: string,
    readonly wwwAuthenticate: string,
  ) {
    super(message);
  }
}

export interface TokenValidator {
  validate(authorizationHeader: string | null | undefined): Promise<CallerPrincipal>;
}

export function createTokenValidator(o: TokenValidatorOptions): TokenValidator {
  let jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  const keys = async () => {
    if (!jwks) {
      const res = await fetch(`${o.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
      if (!res.ok) throw new Error(`OpenID configuration of ${o.issuer} answered ${res.status}`);
      const doc = (await res.json()) as { jwks_uri?: string; issuer?: string };
      if (!doc.jwks_uri) throw new Error(`OpenID configuration of ${o.issuer} has no jwks_uri`);
      jwks = createRemoteJWKSet(new URL(doc.jwks_uri));
    }
    return jwks;
  };
  const challenge = (error: string, description: string) =>
    `Bearer realm="pimflow", error="${error}", error_description="${description.replace(/"/g, "'")}"`;

  return {
    async validate(header) {
      const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
      if (!match) throw new AuthenticationError('An access token is required', 'Bearer realm="pimflow"');
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(match[1] as string, await keys(), {
          issuer: o.issuer,
          audience: o.audience,
          algorithms: ['RS256'],
          clockTolerance: o.clockToleranceSeconds ?? 60,
          requiredClaims: ['exp'],
        }));
      } catch (err) {
        const description =
          err instanceof errors.JOSEError ? describe(err) : 'The token could not be validated';
        throw new AuthenticationError(description, challenge('invalid_token', description));
      }
      if (payload.tid !== o.tenantId) {
        throw new AuthenticationError(
          'The token is from another tenant',
          challenge('invalid_token', 'The token is from another tenant'),
        );
      }
      if (typeof payload.oid !== 'string') {
        throw new AuthenticationError(
          'The token names no object id',
          challenge('invalid_token', 'The token names no object id'),
        );
      }
      const kind = callerKind(payload);
      const clientAppId =
        typeof payload.azp === 'string'
          ? payload.azp
          : typeof payload.appid === 'string'
            ? payload.appid
            : undefined;
      return {
        kind,
        objectId: payload.oid,
        tenantId: payload.tid,
        ...(clientAppId !== undefined && { clientAppId }),
        roles: strings(payload.roles),
        authenticationMethods: strings(payload.amr),
        authenticationContexts: strings(payload.acrs),
        // An app-only token names no person; a stray `name` or `preferred_username` in one is not believed.
        displayName: kind === 'user' && typeof payload.name === 'string' ? payload.name : undefined,
        userPrincipalName:
          kind === 'user' && typeof payload.preferred_username === 'string'
            ? payload.preferred_username
            : undefined,
      };
    },
  };
}

function describe(err: InstanceType<typeof errors.JOSEError>): string {
  if (err instanceof errors.JWTExpired) return 'The token has expired';
  if (err instanceof errors.JWTClaimValidationFailed && err.claim === 'exp' && err.reason === 'missing')
    return 'The token has no expiry ("exp" claim); tokens that never expire are refused';
  if (err instanceof errors.JWTClaimValidationFailed)
    return `The token's "${err.claim}" claim is not accepted`;
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'The token signature is invalid';
  if (err instanceof errors.JOSEAlgNotAllowed) return 'The token algorithm is not accepted';
  if (err instanceof errors.JWKSNoMatchingKey) return 'The token was signed with an unknown key';
  return 'The token is malformed';
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
