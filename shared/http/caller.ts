/**
 * Who is calling an HTTP function: a validated bearer token, and the app roles an operation needs. Missing or
 * bad token → 401 with `WWW-Authenticate: Bearer`; a valid token without the role → 403.
 *
 * App-only tokens (client credentials; `CallerPrincipal.kind === 'app'`) get exactly what their app roles give:
 * - an operation that acts as the signed-in user (`userOnly`: /me, self-service requests, filterByCurrentUser,
 *   deciding approvals and review items) refuses them with 403, whatever their roles;
 * - everywhere else an app-only caller needs at least one of pimflow's app roles (403 otherwise), and then the
 *   operation's own role check applies as for users. Authority that comes from who a user is (the requester, an
 *   owner of the group, an approver, a reviewer) is never an app's: see `isActiveOwner` and the review resolver.
 */
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { AuthenticationError, type TokenValidator } from '../auth/token-validator';
import { KNOWN_APP_ROLES, type CallerPrincipal } from '../auth/principal';
import { problem } from './problem';

export type CallerResult = { ok: true; caller: CallerPrincipal } | { ok: false; response: HttpResponseInit };

export interface CallerRules {
  /**
   * The operation acts for the signed-in user (what it does, for the 403's detail, e.g. "approve requests"):
   * app-only tokens are refused.
   */
  userOnly?: string;
}

export async function authenticate(
  request: HttpRequest,
  validator: TokenValidator,
  requiredRoles: readonly string[] = [],
  rules: CallerRules = {},
): Promise<CallerResult> {
  let caller: CallerPrincipal;
  try {
    caller = await validator.validate(request.headers.get('authorization'));
  } catch (err) {
    if (err instanceof AuthenticationError) {
      return {
        ok: false,
        response: problem(401, err.message, {}, { 'www-authenticate': err.wwwAuthenticate }),
      };
    }
    throw err;
  }
  if (rules.userOnly !== undefined) {
    const refused = refuseAppOnly(caller, rules.userOnly);
    if (refused) return { ok: false, response: refused };
  }
  if (caller.kind === 'app' && !caller.roles.some((role) => KNOWN_APP_ROLES.includes(role))) {
    return {
      ok: false,
      response: problem(
        403,
        `This is an app-only token (client credentials) without any of pimflow's app roles: assign the calling app ${KNOWN_APP_ROLES.join(' or ')} on pimflow's API, or call as a signed-in user.`,
        { reason: 'appRoleRequired' },
      ),
    };
  }
  if (requiredRoles.length > 0 && !requiredRoles.some((role) => caller.roles.includes(role))) {
    return {
      ok: false,
      response: problem(403, `This operation needs the app role ${requiredRoles.join(' or ')}.`),
    };
  }
  return { ok: true, caller };
}

/** A 403 when the caller is an app-only token and `doing` needs a signed-in user; undefined otherwise. */
export function refuseAppOnly(caller: CallerPrincipal, doing: string): HttpResponseInit | undefined {
  if (caller.kind !== 'app') return undefined;
  return problem(
    403,
    `Only a signed-in user can ${doing}: this is an app-only token (client credentials), which acts for no user. Call with a user's delegated token (scope access_as_user).`,
    { reason: 'userTokenRequired' },
  );
}
