/**
 * Signed links with APPROVAL_REQUIRE_SIGN_IN: the form's POST must also carry an access token of the person the link
 * was mailed to — the `Authorization: Bearer` header, or (from the page's form, which runs no script) the
 * `access_token` field (RFC 6750 §2.2). Each page words the refusal for its own people (approvers, reviewers).
 */
import type { CallerPrincipal } from '../../auth/principal';
import { AuthenticationError, type TokenValidator } from '../../auth/token-validator';

export type LinkSignIn =
  | { ok: true; signedIn: CallerPrincipal }
  /** No valid token: answer 401 with `wwwAuthenticate`. */
  | { ok: false; why: 'notSignedIn'; message: string; wwwAuthenticate: string }
  /** An app-only token, or a token of someone else than the link's person: answer 403. */
  | { ok: false; why: 'appOnly' | 'someoneElse' };

export async function checkLinkSignIn(
  tokens: TokenValidator,
  authorization: string | null,
  accessTokenField: string | null | undefined,
  linkUserId: string,
): Promise<LinkSignIn> {
  const bearer = authorization ?? (accessTokenField ? `Bearer ${accessTokenField.trim()}` : null);
  let signedIn: CallerPrincipal;
  try {
    signedIn = await tokens.validate(bearer);
  } catch (err) {
    if (!(err instanceof AuthenticationError)) throw err;
    return { ok: false, why: 'notSignedIn', message: err.message, wwwAuthenticate: err.wwwAuthenticate };
  }
  if (signedIn.kind !== 'user') return { ok: false, why: 'appOnly' };
  if (signedIn.objectId.toLowerCase() !== linkUserId.toLowerCase()) return { ok: false, why: 'someoneElse' };
  return { ok: true, signedIn };
}
