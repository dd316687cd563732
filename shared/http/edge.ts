/**
 * Checks every HTTP request passes before its function runs (functions/http-edge.ts registers them as a
 * pre-invocation hook, so a new function can't forget them): a declared body over MAX_BODY_BYTES is a 413, and a
 * route parameter or query option too long to be anything pimflow issued is a 400 — before any parsing, storage
 * or Graph call, so an absurd id can't become a 500 further in. The body itself is read with the same limit by
 * readBodyText (body.ts), which also catches a body sent without Content-Length.
 */
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { describeBytes, MAX_BODY_BYTES } from './body';
import { problem } from './problem';
import { MAX_SKIP_TOKEN_LENGTH } from './skip-token';

/** Every id pimflow issues or accepts (GUIDs, policy and assignment ids, step ids) is far shorter than this. */
export const MAX_ID_LENGTH = 256;
/**
 * Route parameters longer than an id: the ARM-shaped routes' catch-all (`{*armPath}`: a scope — a resource's id
 * can be long — then `/providers/Microsoft.Authorization/...`). ARM itself takes URLs of a few thousand characters.
 */
const LONG_ROUTE_PARAMETERS: Readonly<Record<string, number>> = { armPath: 2048 };

/** The longest query option value: room for a `$filter` of several ids, or a `$skiptoken`. */
export const MAX_QUERY_VALUE_LENGTH = MAX_SKIP_TOKEN_LENGTH;

/** The problem to answer instead of running the function, or undefined when the request may go on. */
export function checkRequestEdges(request: HttpRequest): HttpResponseInit | undefined {
  const declared = request.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared) > MAX_BODY_BYTES) {
    return problem(
      413,
      `The body is larger than ${describeBytes(MAX_BODY_BYTES)}, the most this API accepts.`,
      { limitBytes: MAX_BODY_BYTES },
    );
  }
  for (const [name, value] of Object.entries(request.params)) {
    const max = LONG_ROUTE_PARAMETERS[name] ?? MAX_ID_LENGTH;
    if (value.length > max) {
      return problem(
        400,
        `The ${name} in the path is ${value.length} characters long: no ${name} is longer than ${max}.`,
        { errors: [{ field: name, message: `at most ${max} characters` }] },
      );
    }
  }
  for (const [name, value] of request.query.entries()) {
    if (value.length > MAX_QUERY_VALUE_LENGTH) {
      const shown = name.length > 40 ? `${name.slice(0, 40)}…` : name;
      return problem(
        400,
        `The query parameter ${shown} is ${value.length} characters long; at most ${MAX_QUERY_VALUE_LENGTH} are accepted.`,
      );
    }
  }
  return undefined;
}

/**
 * Ids in a JSON body: any property named `id`, `…Id` or `@odata.id` holding a string longer than MAX_ID_LENGTH,
 * as `{ field, length }` (the first found), or undefined. parseJsonBody refuses such a body with a 400 before
 * the operation's own schema sees it.
 */
export function overlongIdIn(
  value: unknown,
  path = 'body',
  depth = 0,
): { field: string; length: number } | undefined {
  if (depth > 32 || value === null || typeof value !== 'object') return undefined;
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [String(i), v])
    : Object.entries(value as Record<string, unknown>);
  for (const [key, v] of entries) {
    const field = `${path}.${key.length > 60 ? `${key.slice(0, 60)}…` : key}`;
    if (typeof v === 'string' && v.length > MAX_ID_LENGTH && /^(id|.*Id|@odata\.id)$/.test(key)) {
      return { field, length: v.length };
    }
    const inner = overlongIdIn(v, field, depth + 1);
    if (inner) return inner;
  }
  return undefined;
}
