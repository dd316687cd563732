/**
 * Graph's `filterByCurrentUser(on='...')` functions: one route per collection with the `on` as a route parameter
 * (BY_CURRENT_USER), so a value the collection doesn't offer is a 400 naming the ones it does, not a 404.
 */
import type { HttpRequest } from '@azure/functions';
import type { Parsed } from './json-body';
import { problem } from './problem';

/**
 * The route segment. Its functions are named `...ByCurrentUser`: the host tries routes in order of function name,
 * and a `{id}` route (`...Get`) would take this path too.
 */
export const BY_CURRENT_USER = "filterByCurrentUser(on='{on}')";

/** The route's `on`, as one of `allowed` (matched without case, as Graph's enums), else a 400 naming them. */
export function currentUserOn<T extends string>(request: HttpRequest, allowed: readonly T[]): Parsed<T> {
  const on = request.params.on ?? '';
  const found = allowed.find((a) => a.toLowerCase() === on.toLowerCase());
  if (found) return { ok: true, value: found };
  const shown = on.length > 40 ? `${on.slice(0, 40)}…` : on;
  return {
    ok: false,
    response: problem(
      400,
      `filterByCurrentUser(on='${shown}') is not supported here: on must be ${allowed.map((a) => `'${a}'`).join(' or ')}`,
      { errors: [{ field: 'on', message: `must be ${allowed.join(', ')}` }] },
    ),
  };
}
