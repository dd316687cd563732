/**
 * Who is calling an HTTP function: a validated bearer token, and the app roles an operation needs. Missing or
 * bad token → 401 with `WWW-Authenticate: Bearer`; a valid token without the role → 403.
 */
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { AuthenticationError, type TokenValidator } from '../auth/token-validator';
import type { CallerPrincipal } from '../auth/principal';
import { problem } from './problem';

export type CallerResult = { ok: true; caller: CallerPrincipal } | { ok: false; response: HttpResponseInit };

export async function authenticate(
  request: HttpRequest,
  validator: TokenValidator,
  requiredRoles: readonly string[] = [],
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
  if (requiredRoles.length > 0 && !requiredRoles.some((role) => caller.roles.includes(role))) {
    return {
      ok: false,
      response: problem(403, `This operation needs the app role ${requiredRoles.join(' or ')}.`),
    };
  }
  return { ok: true, caller };
}
